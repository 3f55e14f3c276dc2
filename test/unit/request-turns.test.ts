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
/** Request turns whose handler only records which requests it started, in order. */
function recording(maxWaiting = 10) {
  const started: string[] = [];
  const listener = requestTurns((req) => started.push(req.url!), { maxWaiting });
  return { started, listener };
}

describe('requests taking turns', () => {
  it('starts each request at once while no connection is being accepted', () => {
    const { started, listener } = recording();
    for (const url of ['/a', '/b', '/c']) listener(request(url), fakeResponse().res);
    expect(started).toEqual(['/a', '/b', '/c']);
    expect(listener.waiting()).toBe(0);
  });

  it('starts the waiting requests first come first served, one per event-loop turn, while a long task keeps giving way', async () => {
    const { started, listener } = recording();
    listener.shorten();
    for (const url of ['/a', '/b', '/c']) listener(request(url), fakeResponse().res);
    expect(started).toEqual([]);
    expect(listener.waiting()).toBe(3);
    await turn();
    expect(started).toEqual(['/a']);
    listener.shorten();
    await turn();
    expect(started).toEqual(['/a', '/b']);
    listener.shorten();
    listener(request('/d'), fakeResponse().res);
    await turn();
    expect(started).toEqual(['/a', '/b', '/c']);
    expect(listener.waiting()).toBe(1);
  });

  it('accepts a burst of new connections before it starts their requests, then runs them all together', async () => {
    let now = 0;
    const started: string[] = [];
    const listener = requestTurns((req) => started.push(req.url!), { maxWaiting: 10, acceptFirstMs: 5, now: () => now });
    // Each loop turn accepts one more connection, whose request arrives with it.
    for (const url of ['/a', '/b', '/c']) {
      listener.accepted();
      listener(request(url), fakeResponse().res);
      await turn();
      now += 1;
    }
    expect(started).toEqual([]);
    expect(listener.waiting()).toBe(3);
    // The first turn without a new connection: all of them run, in order.
    await turn();
    await turn();
    expect(started).toEqual(['/a', '/b', '/c']);
  });

  it('holds a request back for no longer than acceptFirstMs while new connections keep coming, then starts one a turn', async () => {
    let now = 0;
    const started: string[] = [];
    const listener = requestTurns((req) => started.push(req.url!), { maxWaiting: 100, acceptFirstMs: 5, now: () => now });
    const seen: string[][] = [];
    // A proxy that opens a connection per request: one arrives every turn, a millisecond apart.
    for (let i = 0; i < 10; i++) {
      listener.accepted();
      listener(request(`/${i}`), fakeResponse().res);
      await turn();
      seen.push([...started]);
      now += 1;
    }
    // Nothing starts while the oldest has waited less than 5 ms, then one request a turn, oldest first.
    expect(seen.slice(0, 5).every((s) => s.length === 0)).toBe(true);
    expect(started).toEqual(['/0', '/1', '/2', '/3', '/4']);
    expect(listener.waiting()).toBe(5);
  });

  it('runs every waiting request, in order, at the first turn in which no connection was accepted, then starts new ones at once', async () => {
    const { started, listener } = recording();
    listener.shorten();
    for (const url of ['/a', '/b', '/c', '/d']) listener(request(url), fakeResponse().res);
    await turn();
    expect(started).toEqual(['/a']);
    // The first turn without a connection: the rest start in the next check phase.
    await turn();
    await turn();
    expect(started).toEqual(['/a', '/b', '/c', '/d']);
    expect(listener.waiting()).toBe(0);
    listener(request('/e'), fakeResponse().res);
    expect(started).toEqual(['/a', '/b', '/c', '/d', '/e']);
  });

  it('starts a newcomer at once while the requests that waited are still to run, so arrivals cannot keep the queue going', async () => {
    const { started, listener } = recording();
    listener.shorten();
    for (const url of ['/a', '/b']) listener(request(url), fakeResponse().res);
    await turn();
    expect(started).toEqual(['/a']);
    // The first turn without a connection: /b is to run in the next check phase.
    await turn();
    listener(request('/c'), fakeResponse().res);
    expect(started).toEqual(['/a', '/c']);
    await turn();
    expect(started).toEqual(['/a', '/c', '/b']);
    expect(listener.waiting()).toBe(0);
  });

  it('lets each waiting request run to its first real wait before the next starts when turns end, so their promise chains do not interleave', async () => {
    const steps: string[] = [];
    const listener = requestTurns(async (req) => {
      steps.push(`start ${req.url}`);
      // A page's chain: the session, the user, the page's data (SQLite answers at once).
      for (let i = 0; i < 3; i++) await Promise.resolve();
      steps.push(`end ${req.url}`);
    }, { maxWaiting: 10 });
    listener.shorten();
    for (const url of ['/a', '/b', '/c']) listener(request(url), fakeResponse().res);
    for (let i = 0; i < 4; i++) await turn();
    expect(steps).toEqual(['start /a', 'end /a', 'start /b', 'end /b', 'start /c', 'end /c']);
  });

  it('answers 503 with Retry-After, without starting it, a request that finds too many waiting', async () => {
    const started: string[] = [];
    const refused: string[] = [];
    const listener = requestTurns((req) => started.push(req.url!), { maxWaiting: 2, onRefused: (req) => refused.push(req.url!) });
    listener.shorten();
    listener(request('/1'), fakeResponse().res);
    listener(request('/2'), fakeResponse().res);
    const third = fakeResponse();
    listener(request('/3'), third.res);
    expect(third.sent.status).toBe(503);
    expect(third.sent.headers).toMatchObject({ 'retry-after': '1', 'cache-control': 'no-store' });
    expect(third.sent.body).toMatch(/busy/);
    expect(refused).toEqual(['/3']);
    for (let i = 0; i < 3; i++) await turn();
    expect(started).toEqual(['/1', '/2']);
  });

  it('drops a waiting request whose client has gone, and starts the next one in its turn', async () => {
    const { started, listener } = recording();
    listener.shorten();
    const gone = { destroyed: false };
    listener(request('/left', gone), fakeResponse().res);
    listener(request('/stayed'), fakeResponse().res);
    gone.destroyed = true;
    await turn();
    listener.shorten();
    await turn();
    expect(started).toEqual(['/stayed']);
  });

  it('keeps the order over thousands of requests while connections keep arriving, and starts every request once', async () => {
    const started: number[] = [];
    const listener = requestTurns((req) => started.push(Number(req.url)), { maxWaiting: 5000 });
    let sent = 0;
    let sentWhileTaking = 0;
    listener.shorten();
    for (; sent < 3000; sent++) listener(request(String(sent)), fakeResponse().res);
    while (started.length < 4000) {
      // Connections stop arriving at 3,500: the queued requests then all run, and later ones at once.
      if (sent < 3500) {
        listener.shorten();
        sentWhileTaking = sent + 1;
      }
      await turn();
      if (sent < 4000) listener(request(String(sent++)), fakeResponse().res);
    }
    expect([...started].sort((x, y) => x - y)).toEqual(Array.from({ length: 4000 }, (_, i) => i));
    const queued = started.filter((n) => n < sentWhileTaking);
    expect(queued).toEqual(Array.from({ length: sentWhileTaking }, (_, i) => i));
  });

  it('stops scheduling turns once connections stop arriving and nothing waits', async () => {
    const immediates = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    const before = immediates();
    const listener = requestTurns(() => undefined, { maxWaiting: 10 });
    listener.shorten();
    expect(immediates()).toBe(before + 1);
    await turn();
    await turn();
    // An idle server keeps no immediate pending.
    expect(immediates()).toBe(before);
  });
});
