import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** The app as it runs for real: `src/server.ts` in a process of its own. */
export interface ServerProcess {
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr together. */
  output(): string;
  /** Resolves with the exit code (or signal) once it has stopped. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const OUTPUT_KEPT = 64 * 1024;

/** A suite run under faketime (the any-day check) gives the server the same wall clock as its client. */
function sameClock(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['LD_PRELOAD', 'FAKETIME', 'DONT_FAKE_MONOTONIC']) if (process.env[name]) out[name] = process.env[name]!;
  return out;
}

export interface ServerProcessOptions {
  /** Before the script: `--cpu-prof` for a benchmark's profile, for instance. */
  nodeArgs?: string[];
  /** Run the compiled `dist/src/server.js` (npm run build) as deployed, instead of the sources through tsx. */
  built?: boolean;
  /** Standard output (the request log) goes to this file instead of a pipe this process reads. */
  stdoutFile?: string;
}

/** The npm scripts of package.json (`start`, `start:prod`, …). */
export function packageScripts(): Record<string, string> {
  return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
}

/**
 * The Node flags the app is launched with, as `npm run start:prod` gives them (package.json is
 * where they are set; `npm start` carries the same): a test or benchmark that starts the app runs
 * it as deployed, its young generation limited too.
 */
export function launchFlags(): string[] {
  const scripts = packageScripts();
  const [node, ...rest] = scripts['start:prod']!.split(/\s+/);
  if (node !== 'node') throw new Error(`start:prod does not start with node: ${scripts['start:prod']}`);
  return rest.filter((word) => word.startsWith('--'));
}

export function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): ServerProcess {
  const script = options.built ? ['dist/src/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, [...launchFlags(), ...(options.nodeArgs ?? []), ...script], {
    env: { PATH: process.env.PATH ?? '', ...sameClock(), NODE_ENV: 'test', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', RATE_LIMIT_AUTH_MAX: '100000', RATE_LIMIT_POST_MAX: '100000', ...env },
    stdio: ['ignore', options.stdoutFile ? fs.openSync(options.stdoutFile, 'a') : 'pipe', 'pipe'],
  });
  // The first and the last 64 KB: the start-up lines, and what came just before a failure (a
  // benchmark run logs every request).
  let head = '';
  let tail = '';
  const keep = (d: Buffer) => {
    if (head.length < OUTPUT_KEPT) head += d.toString();
    else tail = (tail + d.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr!.on('data', keep);
  const output = () => (tail ? `${head}\n…\n${tail}` : head);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `url` answers 200 (the process is listening and ready). */
export async function waitUntilReady(url: string, server?: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server && server.child.exitCode !== null) throw new Error(`the server exited early:\n${server.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${server?.output() ?? ''}`);
}

/** The pids of a process's children running `src/server.ts` (a cluster primary's workers, not helpers such as esbuild), from /proc. */
export function childPids(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${d}/status`, 'utf8'))?.[1]) === pid && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('src/server.ts');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The development provider in a process of its own (test/fixtures/dev-idp-server.ts), as an Auth0
 * tenant is to app instances: it registers `client` for the app at `publicUrl`. `issuer` resolves
 * once it prints "ready", and rejects if it exits first.
 */
export function startProviderProcess(o: { port: number; dataDir: string; publicUrl: string; client: { id: string; secret: string } }): { child: ChildProcess; issuer: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/dev-idp-server.ts'], {
    env: { PATH: process.env.PATH ?? '', IDP_PORT: String(o.port), DATA_DIR: o.dataDir, PUBLIC_BASE_URL: o.publicUrl, CLIENT_ID: o.client.id, CLIENT_SECRET: o.client.secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const issuer = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the development provider exited (${code})`)));
  });
  return { child, issuer };
}
