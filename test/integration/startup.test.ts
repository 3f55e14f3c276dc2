import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real entry point. The wait for readiness is generous (it starts in about 3.5 s) because
 * it shares two cores with the rest of the suite and Chromium: one CI run on a busy machine took
 * over 15 s. It stays under the 30 s test timeout, so a hang still fails here with the output.
 */
function runServer(env: Record<string, string>, until?: (stdout: string) => boolean, timeoutMs = 25_000): Promise<Run & { stop?: () => Promise<Run> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not get ready: ${stdout} ${stderr}`));
    }, timeoutMs);
    void exited.then((r) => {
      clearTimeout(timer);
      resolve(r);
    });
    if (until) {
      child.stdout.on('data', () => {
        if (until(stdout)) {
          clearTimeout(timer);
          resolve({ code: null, stdout, stderr, stop: () => (child.kill('SIGTERM'), exited) });
        }
      });
    }
  });
}


describe('starting the server', () => {
  it('lists every configuration problem at once, exits non-zero, and prints no stack trace or secret', async () => {
    const secret = 'too-short-secret';
    const r = await runServer({ NODE_ENV: 'production', APP_SECRET_KEY: secret, AUTH0_CLIENT_SECRET: 'client-secret-value-xyz', PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toContain('PORT must be a whole number');
    expect(r.stderr).toContain('APP_SECRET_KEY must be at least 32 characters');
    expect(r.stderr).toContain('AUTH0_DOMAIN or AUTH0_ISSUER_BASE_URL is required in production');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain('client-secret-value-xyz');
    // The development provider is not even loaded in production.
    expect(r.stdout + r.stderr).not.toContain('DEVELOPMENT IDENTITY PROVIDER');
  });

  it('stops with one clear line, and no password, when PostgreSQL or Redis cannot be reached', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-unreachable-'));
    try {
      const [dbPort, redisPort, port, idpPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      const common = { DATA_DIR: dataDir, PORT: String(port), DEV_IDP_PORT: String(idpPort), LOG_LEVEL: 'silent' };
      const db = await runServer({ ...common, DATABASE_URL: `postgres://coach:db-password-xyz@127.0.0.1:${dbPort}/coach` });
      expect(db.code).toBe(1);
      expect(db.stderr).toContain(`Startup failed: the database could not be migrated: connect ECONNREFUSED 127.0.0.1:${dbPort}`);
      const redis = await runServer({ ...common, REDIS_URL: `redis://:redis-password-xyz@127.0.0.1:${redisPort}` });
      expect(redis.code).toBe(1);
      expect(redis.stderr).toContain(`Startup failed: Redis at 127.0.0.1:${redisPort} did not answer within 5 s (connect ECONNREFUSED`);
      for (const r of [db, redis]) {
        expect(r.stdout + r.stderr).not.toMatch(/password-xyz|\n\s+at /);
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('starts with the embedded provider, prints the demo accounts, keeps a generated secret, and stops on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-start-'));
    const [port, idpPort] = [await freePort(), await freePort()];
    const r = await runServer({ PORT: String(port), DEV_IDP_PORT: String(idpPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, (out) =>
      out.includes('Personal Finance Coach: http'),
    );
    try {
      expect(r.stdout).toContain('DEVELOPMENT IDENTITY PROVIDER: for local development only');
      expect(r.stdout).toContain('member@example.com');
      expect(r.stdout).toContain('admin@example.com');
      const home = await fetch(`http://localhost:${port}/`);
      expect(home.status).toBe(200);
      const login = await fetch(`http://localhost:${port}/login`, { redirect: 'manual' });
      expect(login.headers.get('location')).toContain(`http://localhost:${idpPort}/authorize?`);
      const secretFile = path.join(dataDir, 'app-secret.key');
      expect(fs.readFileSync(secretFile, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(secretFile).mode & 0o077).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'app.sqlite'))).toBe(true);
    } finally {
      const end = await r.stop!();
      expect(end.code).toBe(0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
