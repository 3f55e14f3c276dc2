import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';

export type { Logger };

/**
 * Structured JSON logs in UTC. Anything that could carry a credential is redacted by path,
 * so a careless `log.info({ req })` cannot leak a cookie or a token.
 */
export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
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
    // Standard output, written asynchronously: lines logged while a write is in flight go out
    // together in the next one instead of one blocking system call each. pino flushes what is
    // left when the process exits, a crash included.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
