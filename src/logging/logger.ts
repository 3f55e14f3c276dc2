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
    destination,
  );
}
