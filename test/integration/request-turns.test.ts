import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The cause of the benchmark's tail, reproduced with a server of a known cost per request: Node 20
 * accepts one connection per event-loop turn, and without request turns a busy turn holds every
 * open connection's request. 40 connections keep a server busy; then 20 new ones open at once.
 */

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function start(turns: boolean): Promise<number> {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/busy-server.ts'], { env: { ...process.env, TURNS: turns ? '1' : '0', BUSY_MS: '3' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child!.once('exit', (code) => reject(new Error(`the busy server exited with ${code}`)));
  });
}

/** A GET; resolves with how many requests were waiting for their turn when it started, and how many connections the server had accepted. */
function get(port: number, agent: http.Agent | false): Promise<{ waiting: number; connections: number }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) =>
        res.resume().on('end', () => resolve({ waiting: Number(res.headers['x-waiting']), connections: Number(res.headers['x-connections']) })),
      )
      .on('error', reject);
  });
}

/** The slowest first answer to 20 new connections opened while 40 others keep the server busy, in ms. */
async function slowestNewConnection(turns: boolean): Promise<number> {
  const port = await start(turns);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
  let busy = true;
  const load = Promise.all(Array.from({ length: 40 }, async () => {
    while (busy) await get(port, agent);
  }));
  await new Promise((r) => setTimeout(r, 500));
  const times = await Promise.all(Array.from({ length: 20 }, async () => {
    const started = performance.now();
    await get(port, false);
    return performance.now() - started;
  }));
  busy = false;
  await load;
  agent.destroy();
  child?.kill('SIGKILL');
  child = undefined;
  return Math.max(...times);
}

/**
 * What each request on 40 open keep-alive connections found waiting, once the server has accepted
 * all 40 (turns end one loop turn after the last) and a moment has passed; and how many
 * connections the server had accepted by the end (still 40: none was opened meanwhile).
 */
async function waitingAtSteadyLoad(): Promise<{ seen: number[]; connections: number }> {
  const port = await start(true);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
  let phase: 'warming' | 'settling' | 'measuring' | 'done' = 'warming';
  let allOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (allOpen = resolve));
  const seen: number[] = [];
  let connections = 0;
  const load = Promise.all(Array.from({ length: 40 }, async () => {
    while (phase !== 'done') {
      const answer = await get(port, agent);
      connections = Math.max(connections, answer.connections);
      if (answer.connections >= 40) allOpen();
      if (phase === 'measuring') seen.push(answer.waiting);
    }
  }));
  await opened;
  phase = 'settling';
  await new Promise((r) => setTimeout(r, 300));
  phase = 'measuring';
  await new Promise((r) => setTimeout(r, 1000));
  phase = 'done';
  await load;
  agent.destroy();
  return { seen, connections };
}

describe('a burst of new connections while the server is busy', () => {
  it('is answered within about one round of the open connections when requests take turns, many rounds sooner than without', async () => {
    const withoutTurns = await slowestNewConnection(false);
    const withTurns = await slowestNewConnection(true);
    // 60 requests of 3 ms are 180 ms; without turns the 20th connection waits ~20 turns of ~120 ms.
    const seen = `slowest new connection: ${withoutTurns.toFixed(0)} ms without turns, ${withTurns.toFixed(0)} ms with`;
    expect(withTurns, seen).toBeLessThan(1000);
    expect(withoutTurns, seen).toBeGreaterThan(2 * withTurns);
  }, 30_000);

  it('makes no request wait for a turn once the open connections are all accepted: the next requests stay unread in the kernel, costing nothing', async () => {
    const { seen, connections } = await waitingAtSteadyLoad();
    const waited = seen.filter((n) => n > 0).length;
    expect(connections, 'the load opened no connection beyond its 40').toBe(40);
    // 40 connections of 3 ms requests: about 330 requests a second.
    expect(seen.length).toBeGreaterThan(100);
    expect(waited, `${waited} of ${seen.length} requests found others waiting`).toBeLessThan(seen.length * 0.05);
  }, 30_000);
});
