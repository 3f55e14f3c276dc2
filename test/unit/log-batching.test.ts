import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchedOutput, createLogger } from '../../src/logging/logger.js';

/** Runs the fixture in its own process: what it logs reaches a real standard output (a pipe). */
function logProcess(mode: 'many' | 'quiet') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/log-lines.ts', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<{ at: number; line: Record<string, unknown> }> = [];
  let writes = 0;
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    writes++;
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) lines.push({ at: Date.now(), line: JSON.parse(p) as Record<string, unknown> });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, lines, writes: () => writes, exited };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('JSON logs on standard output', () => {
  it('are written in batches, not a write a line, and every line reaches the output, in order, when the process exits', async () => {
    const p = logProcess('many');
    expect(await p.exited).toBe(0);
    await until(() => p.lines.length === 200, 2000);
    expect(p.lines.map((l) => l.line.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Lines a millisecond apart, about 120 bytes each: a 4 KB batch holds about 30, and a batch
    // goes out at least every 100 ms. Written a line at a time, the pipe gave about 200 reads.
    expect(p.writes()).toBeLessThan(40);
  }, 20_000);

  it('reach the output within a moment on a quiet server: a line is not held for a batch to fill', async () => {
    const p = logProcess('quiet');
    try {
      await until(() => p.lines.length >= 1, 5000);
      expect(p.lines[0]?.line.msg).toBe('one line on a quiet server');
      expect(p.child.exitCode).toBeNull();
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 20_000);
});

describe('JSON logs written while the event loop is busy', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A file to log to, and its lines as parsed so far. */
  function logFile() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-log-'));
    dirs.push(dir);
    const file = path.join(dir, 'out.log');
    const fd = fs.openSync(file, 'a');
    const lines = () =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { n?: number; msg?: string; droppedLines?: number; level?: number });
    const count = () => fs.readFileSync(file).reduce((n, byte) => (byte === 10 ? n + 1 : n), 0);
    return { fd, lines, count };
  }

  /** 3,000 lines of about 220 bytes (660 KB) in one go: no write can finish until they are all logged. */
  function logBurst(logger: ReturnType<typeof createLogger>) {
    for (let n = 0; n < 3000; n++) logger.info({ n, detail: 'x'.repeat(100) }, 'request completed');
  }

  it('writes what waited in one go, not 16 KB a write, and loses no line', async () => {
    const { fd, lines, count } = logFile();
    const output = new BatchedOutput(fd);
    let writes = 0;
    output.sonic.on('write', () => writes++);
    logBurst(createLogger('info', output));
    await until(() => count() === 3000, 5000);
    expect(lines().map((l) => l.n)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    // The first batch went out when 4 KB had gathered; the rest in one write. 16 KB a write took 40 or more.
    expect(writes).toBeLessThanOrEqual(3);
    output.sonic.end();
  });

  it('keeps at most the cap waiting, drops later lines, and says how many once a write has gone through', async () => {
    const { fd, lines } = logFile();
    const cap = 64 * 1024;
    const output = new BatchedOutput(fd, cap);
    logBurst(createLogger('info', output));
    await until(() => lines().some((l) => l.droppedLines !== undefined), 5000);
    await new Promise((r) => setTimeout(r, 200));
    const all = lines();
    const kept = all.filter((l) => l.msg === 'request completed');
    const report = all.filter((l) => l.droppedLines !== undefined);
    // The first lines, in order, up to the cap; then one warning with the exact count of the rest.
    expect(kept.map((l) => l.n)).toEqual(Array.from({ length: kept.length }, (_, i) => i));
    expect(kept.length).toBeGreaterThan(200);
    expect(kept.length).toBeLessThan(cap / 200);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatchObject({ level: 40, droppedLines: 3000 - kept.length });
    output.sonic.end();
  });
});
