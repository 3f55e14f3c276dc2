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
 * Structured JSON logs in UTC. Anything that could carry a credential is redacted by path,
 * so a careless `log.info({ req })` cannot leak a cookie or a token.
 */
export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream, format: Config['logFormat'] = 'json'): Logger {
  return pino(
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
    // Standard output, written asynchronously and in batches, never one blocking system call a
    // line. pino flushes what is left when the process exits, a crash included (a SIGKILL loses
    // at most the last PERIODIC_FLUSH_MS of lines).
    destination ?? (format === 'pretty' ? readableLines() : pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, periodicFlush: PERIODIC_FLUSH_MS })),
  );
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
