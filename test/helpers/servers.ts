import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A server binary from Debian's packages, run by the test in a directory of its own. */
export interface Daemon {
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function daemon(command: string, args: string[], ready: () => Promise<boolean>, label: string): Promise<Daemon> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return (async () => {
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`${label} exited at start:\n${output}`);
      if (await ready()) return { child, stop };
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop('SIGKILL');
    throw new Error(`${label} did not start:\n${output}`);
  })();
}

export const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** A Redis of the test's own, with an append-only file so a restart keeps its data (like a deployed one). */
export function startRedis(port: number, dir: string): Promise<Daemon> {
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  const ping = async () => spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() === 'PONG';
  return daemon('redis-server', args, ping, 'redis-server');
}

/**
 * nginx as the reverse proxy: `public` balances over every upstream, and each `direct` port
 * reaches one instance only (so a test can choose), all presenting the public host to the app.
 */
export async function startNginx(dir: string, o: { public: number; upstreams: number[]; direct: number[] }): Promise<Daemon> {
  fs.mkdirSync(dir, { recursive: true });
  const host = `localhost:${o.public}`;
  const proxied = (target: string) => `
      proxy_pass http://${target};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host ${host};
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      client_max_body_size 25m;`;
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format upstream '$request_uri $upstream_addr $status';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { ${o.upstreams.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=3s;`).join(' ')} keepalive 16; }
  server { listen 127.0.0.1:${o.public}; location / { ${proxied('app')} } }
  ${o.direct.map((port, i) => `server { listen 127.0.0.1:${port}; location / { ${proxied(`127.0.0.1:${o.upstreams[i]}`)} } }`).join('\n  ')}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const up = async () => {
    try {
      await fetch(`http://127.0.0.1:${o.public}/`, { signal: AbortSignal.timeout(500) });
      return true;
    } catch {
      return false;
    }
  };
  return daemon('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], up, 'nginx');
}
