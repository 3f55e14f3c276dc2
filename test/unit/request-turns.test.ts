import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestTurns } from '../../src/http/request-turns.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function fakeResponse() {
  const sent: { status?: number; headers?: Record<string, string>; body?: string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      sent.status = status;
      sent.headers = headers;
      return res;
    },
    end(body: string) {
      sent.body = body;
    },
  };
  return { res: res as unknown as ServerResponse, sent };
}
const request = (url: string, socket = { destroyed: false }) => ({ url, method: 'GET', socket }) as unknown as IncomingMessage;

describe('requests taking turns', () => {
  it('starts the waiting requests first come first served, one per event-loop turn', async () => {
    const started: string[] = [];
    const listener = requestTurns((req) => started.push(req.url!), { maxWaiting: 10 });
    for (const url of ['/a', '/b', '/c']) listener(request(url), fakeResponse().res);
    expect(started).toEqual([]);
    expect(listener.waiting()).toBe(3);
    await turn();
    expect(started).toEqual(['/a']);
    await turn();
    expect(started).toEqual(['/a', '/b']);
    listener(request('/d'), fakeResponse().res);
    await turn();
    await turn();
    expect(started).toEqual(['/a', '/b', '/c', '/d']);
    expect(listener.waiting()).toBe(0);
  });

  it('answers 503 with Retry-After, without starting it, a request that finds too many waiting', async () => {
    const started: string[] = [];
    const refused: string[] = [];
    const listener = requestTurns((req) => started.push(req.url!), { maxWaiting: 2, onRefused: (req) => refused.push(req.url!) });
    listener(request('/1'), fakeResponse().res);
    listener(request('/2'), fakeResponse().res);
    const third = fakeResponse();
    listener(request('/3'), third.res);
    expect(third.sent.status).toBe(503);
    expect(third.sent.headers).toMatchObject({ 'retry-after': '1', 'cache-control': 'no-store' });
    expect(third.sent.body).toMatch(/busy/);
    expect(refused).toEqual(['/3']);
    await turn();
    await turn();
    expect(started).toEqual(['/1', '/2']);
  });

  it('drops a waiting request whose client has gone, and starts the next one in its turn', async () => {
    const started: string[] = [];
    const listener = requestTurns((req) => started.push(req.url!), { maxWaiting: 10 });
    const gone = { destroyed: false };
    listener(request('/left', gone), fakeResponse().res);
    listener(request('/stayed'), fakeResponse().res);
    gone.destroyed = true;
    await turn();
    await turn();
    expect(started).toEqual(['/stayed']);
  });

  it('keeps the order over thousands of requests while new ones keep arriving', async () => {
    const started: number[] = [];
    const listener = requestTurns((req) => started.push(Number(req.url)), { maxWaiting: 5000 });
    let sent = 0;
    for (; sent < 3000; sent++) listener(request(String(sent)), fakeResponse().res);
    while (started.length < 4000) {
      await turn();
      if (sent < 4000) listener(request(String(sent++)), fakeResponse().res);
    }
    expect(started).toEqual(Array.from({ length: 4000 }, (_, i) => i));
  });
});
