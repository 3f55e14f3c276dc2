/**
 * Load from wrk (Debian's package), a process of its own, so the load generator never shares the
 * measured app's event loop. One thread: the machine has two cores, one for the app.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** Answers other than 2xx and 3xx. */
  bad: number;
  /** Connect, read, write errors and timeouts (wrk's timeout is 2 s). */
  errors: number;
  requests: number;
}

export interface WrkOptions {
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** A form POST instead of a GET. */
  post?: { body: string; contentType: string };
  /** With `post`: every POST is followed by a GET of this path (a page read right after each change). */
  thenGet?: string;
}

const ms = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit]!;

export function parseWrk(out: string): WrkResult {
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`wrk printed no ${p}% latency:\n${out}`);
    return ms(m[1]!, m[2]!);
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: latency('50'),
    p90: latency('90'),
    p99: latency('99'),
    bad: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
  };
}

export async function wrk(url: string, o: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  let script: string | undefined;
  if (o.post) {
    script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-wrk-')), 'post.lua');
    const setup = `wrk.method = "POST"\nwrk.body = ${JSON.stringify(o.post.body)}\nwrk.headers["Content-Type"] = ${JSON.stringify(o.post.contentType)}\n`;
    const alternate = o.thenGet
      ? `local n = 0\nrequest = function()\n  n = n + 1\n  if n % 2 == 1 then return wrk.format("POST") end\n  return wrk.format("GET", ${JSON.stringify(o.thenGet)}, nil, "")\nend\n`
      : '';
    fs.writeFileSync(script, setup + alternate);
    args.push('-s', script);
  }
  try {
    const { stdout } = await run('wrk', [...args, url], { maxBuffer: 1 << 20 });
    return parseWrk(stdout);
  } finally {
    if (script) fs.rmSync(path.dirname(script), { recursive: true, force: true });
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
