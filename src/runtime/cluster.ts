import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logging/logger.js';
import type { MailMessage } from '../mail/mailer.js';

/** What a worker may ask of the primary: deliver a notice to the development provider's outbox. */
export type WorkerRequest = { kind: 'mail'; message: MailMessage };

export interface Supervisor {
  /** Resolves once every first worker is listening. */
  ready: Promise<void>;
  /** SIGTERM to every worker (each drains its connections), SIGKILL to those still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The primary process of WORKERS > 1: forks the workers, restarts one that dies (waiting longer
 * each time a new one dies young, so a crash loop does not spin), and drains them on stop.
 */
export function superviseWorkers(count: number, options: { env: Record<string, string>; logger: Logger; onRequest(request: WorkerRequest): void }): Supervisor {
  const { logger } = options;
  let stopping = false;
  let quickDeaths = 0;
  const started = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork(options.env);
    started.set(worker, Date.now());
    worker.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && (m as WorkerRequest).kind === 'mail') options.onRequest(m as WorkerRequest);
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) return;
    quickDeaths = lived < 10_000 ? quickDeaths + 1 : 0;
    const delay = Math.min(250 * 2 ** quickDeaths, 10_000);
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker stopped; starting another');
    setTimeout(() => !stopping && fork(), delay).unref();
  });

  const workers = Array.from({ length: count }, fork);
  const ready = Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('listening', () => resolve())))).then(() => undefined);

  return {
    ready,
    async stop(graceMs = 10_000) {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      await Promise.all(
        alive.map(
          (w) =>
            new Promise<void>((resolve) => {
              const kill = setTimeout(() => w.process.kill('SIGKILL'), graceMs);
              w.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              w.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
