import { createClient } from 'redis';
import type { Logger } from '../logging/logger.js';

export type Redis = ReturnType<typeof createClient>;

/**
 * One Redis connection per process, for sessions and rate-limit counters. While Redis is away,
 * commands fail at once (no offline queue: a request answers 503 rather than hanging) and the
 * client keeps reconnecting, so the app recovers by itself when Redis is back.
 */
export async function connectRedis(url: string, logger: Logger, connectTimeoutMs = 5000): Promise<Redis> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  });
  let ready = false;
  let down = false;
  let lastError = '';
  client.on('error', (err: unknown) => {
    lastError = err instanceof Error ? err.message : String(err);
    // At start the failure is the start's error; later, logged once per outage, not per reconnect attempt.
    if (ready && !down) logger.error({ err }, 'Redis connection lost; requests that need it answer 503 until it is back');
    down = true;
  });
  client.on('ready', () => {
    if (ready && down) logger.warn('Redis connection is back');
    ready = true;
    down = false;
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`Redis at ${new URL(url).host} did not answer within ${connectTimeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}; check REDIS_URL`)),
      connectTimeoutMs,
    ).unref(),
  );
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return client;
}
