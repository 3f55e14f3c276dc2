import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
