import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config/config.js';

export type { Logger };

/**
 * Standard output is written in batches: each write goes through libuv's thread pool (a thread
 * woken, the write, the loop woken back), and one a request, the completion line, was a good
 * part of a busy page's system time. Lines wait until this much is buffered, or at most
 * PERIODIC_FLUSH_MS.
 */
const BATCH_BYTES = 4096;
const PERIODIC_FLUSH_MS = 100;

/**
 * The most written in one call: what has waited goes out at once. With sonic-boom's default (16 KB
 * a call, each a round trip through the thread pool and back through a busy event loop) the
 * writes fell behind the lines at 200 connections: a heap snapshot held 4.7 MB of lines waiting,
 * growing for as long as the load lasted.
 */
const MAX_WRITE_BYTES = 1024 * 1024;

/** At most this much waits to be written; later lines are dropped (and counted) rather than the process growing while its output is stalled. */
export const MAX_PENDING_LOG_BYTES = 8 * 1024 * 1024;

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * Standard output (or `fd`) written asynchronously, in batches, with a cap on what may wait. Lines
 * go to sonic-boom as buffers: in its text mode every line measured the whole waiting text again
 * (quadratic in a large batch); in buffer mode a line is appended to a list.
 */
export class BatchedOutput implements pino.DestinationStream {
  readonly sonic: SonicBoom;

  constructor(fd = 1, maxPendingBytes = MAX_PENDING_LOG_BYTES) {
    this.sonic = pino.destination({ dest: fd, sync: false, contentMode: 'buffer', minLength: BATCH_BYTES, maxWrite: MAX_WRITE_BYTES, maxLength: maxPendingBytes, periodicFlush: PERIODIC_FLUSH_MS });
  }

  write(line: string): void {
    this.sonic.write(Buffer.from(line) as unknown as string);
  }

  flush(callback?: (err?: Error) => void): void {
    this.sonic.flush(callback);
  }
}

/** Counts the lines a capped output dropped, and says how many once a write has gone through again. */
function reportDroppedLines(output: SonicBoom, logger: Logger): void {
  let dropped = 0;
  output.on('drop', function countDroppedLogLine() {
    dropped += 1;
  });
  output.on('write', function reportDroppedLogLines() {
    if (dropped === 0) return;
    const lines = dropped;
    dropped = 0;
    logger.warn({ droppedLines: lines }, 'log lines dropped: the output did not keep up');
  });
}

/**
 * Structured JSON logs in UTC. Anything that could carry a credential is redacted by path,
 * so a careless `log.info({ req })` cannot leak a cookie or a token.
 */
export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream, format: Config['logFormat'] = 'json'): Logger {
  // Standard output, written asynchronously and in batches, never one blocking system call a
  // line. pino flushes what is left when the process exits, a crash included (a SIGKILL loses
  // at most the last PERIODIC_FLUSH_MS of lines).
  const output = destination ?? (format === 'pretty' ? readableLines() : new BatchedOutput());
  const logger = pino(
    {
      level,
      base: { service: 'personal-finance-coach' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.id_token',
          '*.access_token',
          '*.refresh_token',
          '*.code',
          '*.client_secret',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    output,
  );
  if (output instanceof BatchedOutput) reportDroppedLines(output.sonic, logger);
  return logger;
}

interface LogLine {
  msg?: string;
  req?: { method?: string; path?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/**
 * Development's console: one readable line per entry ("12:04:31 INFO GET /dashboard 200 14 ms"),
 * other fields after it on the same line. pino-pretty runs in this process, so a line is
 * written before the next one starts; production keeps JSON lines for the log collector.
 */
export function readableLines(destination?: NodeJS.WritableStream): pino.DestinationStream {
  return pretty({
    ...(destination ? { destination } : {}),
    colorize: destination === undefined && process.stdout.isTTY === true,
    singleLine: true,
    // Errors inline too: one entry, one line (their stacks are in the JSON logs of production).
    errorLikeObjectKeys: [],
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,reqId,req,res,responseTime',
    messageFormat: (log: LogLine, messageKey: string) => {
      const text = String((log as Record<string, unknown>)[messageKey] ?? '');
      if (!log.req?.method) return text;
      const request = `${log.req.method} ${log.req.path ?? ''} ${log.res?.statusCode ?? ''} ${log.responseTime ?? '?'} ms`;
      return text === 'request completed' ? request : `${request} (${text})`;
    },
    sync: true,
  });
}
