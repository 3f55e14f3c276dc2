import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies SQLite's write-ahead log back into the database file on a thread of its own.
 *
 * By default SQLite does this inside the commit that takes the log past 1,000 pages: with
 * better-sqlite3 (synchronous) that commit held the event loop for 8-12 ms while the copy and its
 * fsyncs ran, every 70-odd adds, so every other request waited behind it (63% of all commit time
 * in an add benchmark went to those few commits). Here a second connection, on a worker thread,
 * runs a passive checkpoint every `intervalMs`: it never waits for readers or the writer, and the
 * writer never waits for it. The main connection keeps a far larger automatic checkpoint as a
 * safety net, should this thread stop or fall behind.
 */
export interface SqliteCheckpointer {
  /** What the thread has done so far. */
  readonly stats: CheckpointStats;
  /** Runs a checkpoint on the thread now (its timer goes on as before) and tells how the log stands. */
  checkpointNow(): Promise<CheckpointResult>;
  /** Stops the thread and closes its connection; resolves once it has exited. */
  stop(): Promise<void>;
}

/** The log's length in pages, and how many of them are in the database file. */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}

export interface CheckpointStats {
  /** Checkpoints that found the log changed since the one before. */
  checkpoints: number;
  /** How the log stood at the last of those. */
  logPages: number;
  copiedPages: number;
  errors: number;
  lastError: string | null;
}

/** The thread's code: CommonJS, so it needs no build step or loader (`npm start` runs TypeScript through tsx). */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('wal_autocheckpoint = 0');
let timer = null;
let last = '';
function checkpoint(asked) {
  try {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    const changed = log + '/' + checkpointed !== last;
    last = log + '/' + checkpointed;
    if (changed || asked !== undefined) parentPort.postMessage({ log, checkpointed, changed, asked });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err), asked });
  }
}
function tick() {
  checkpoint();
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (message) => {
  if (message.checkpoint !== undefined) return checkpoint(message.checkpoint);
  if (message.stop) {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
tick();
`;

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');

interface ThreadMessage {
  log?: number;
  checkpointed?: number;
  changed?: boolean;
  error?: string;
  asked?: number;
}

export function startSqliteCheckpointer(file: string, intervalMs: number): SqliteCheckpointer {
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { file, intervalMs, driver: driverPath } });
  // The thread never keeps the process alive; the handle's close stops it first.
  worker.unref();
  const stats: CheckpointStats = { checkpoints: 0, logPages: 0, copiedPages: 0, errors: 0, lastError: null };
  const asked = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  let nextAsk = 0;
  let exited = false;
  worker.on('message', (m: ThreadMessage) => {
    const waiting = m.asked === undefined ? undefined : asked.get(m.asked);
    if (m.asked !== undefined) asked.delete(m.asked);
    if (m.error !== undefined) {
      stats.errors += 1;
      stats.lastError = m.error;
      waiting?.reject(new Error(m.error));
    } else if (m.log !== undefined && m.checkpointed !== undefined) {
      if (m.changed) {
        stats.checkpoints += 1;
        stats.logPages = m.log;
        stats.copiedPages = m.checkpointed;
      }
      waiting?.resolve({ log: m.log, checkpointed: m.checkpointed });
    }
  });
  // A thread that dies leaves the main connection's own checkpoint to keep the log bounded.
  worker.on('error', (err) => {
    stats.errors += 1;
    stats.lastError = err.message;
  });
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      for (const w of asked.values()) w.reject(new Error('the checkpoint thread has stopped'));
      asked.clear();
      resolve();
    }),
  );
  let stopping: Promise<void> | null = null;
  return {
    stats,
    checkpointNow() {
      if (exited || stopping) return Promise.reject(new Error('the checkpoint thread has stopped'));
      const id = nextAsk++;
      return new Promise<CheckpointResult>((resolve, reject) => {
        asked.set(id, { resolve, reject });
        worker.postMessage({ checkpoint: id });
      });
    },
    stop() {
      stopping ??= (async () => {
        worker.postMessage({ stop: true });
        const timeout = setTimeout(() => void worker.terminate(), 5000);
        await exit;
        clearTimeout(timeout);
      })();
      return stopping;
    },
  };
}
