import type { Request } from 'express';

/** Distinct (kind, client) windows tracked at once; beyond it refusals are counted per kind alone. */
const MAX_TRACKED = 10_000;

interface Window {
  type: string;
  ip: string | null;
  start: number;
  /** Refusals after the first in this window, not written one by one. */
  repeated: number;
  detail: Record<string, unknown>;
}

/**
 * Refused anonymous requests (CSRF failures, rate limits) would otherwise write one audit row
 * each, letting anyone fill the table. Per kind and client IP, the first refusal in a window is
 * written at once; the rest are counted and written as one row (`repeated: N`) when the window is
 * over: at the client's next refusal after it, or at the next `flush`.
 */
export function createRefusalAggregator(o: {
  windowMs: number;
  now: () => number;
  write: (req: Request | null, type: string, base: { ip: string | null }, detail: Record<string, unknown>) => Promise<void>;
}) {
  const windows = new Map<string, Window>();

  const summarize = (w: Window) => o.write(null, w.type, { ip: w.ip }, { ...w.detail, repeated: w.repeated, windowSeconds: Math.round(o.windowMs / 1000), since: new Date(w.start).toISOString() });

  async function flush(all = false): Promise<number> {
    const t = o.now();
    let written = 0;
    for (const [key, w] of windows) {
      if (!all && t - w.start < o.windowMs) continue;
      windows.delete(key);
      if (w.repeated > 0) {
        await summarize(w);
        written++;
      }
    }
    return written;
  }

  return {
    async record(req: Request, type: string, detail: Record<string, unknown>): Promise<void> {
      const t = o.now();
      const ip = req.ip ?? null;
      if (windows.size >= MAX_TRACKED) await flush();
      const key = windows.size >= MAX_TRACKED ? `${type}|*` : `${type}|${ip}`;
      const w = windows.get(key);
      if (w && t - w.start < o.windowMs && t >= w.start) {
        w.repeated++;
        return;
      }
      if (w && w.repeated > 0) await summarize(w);
      windows.set(key, { type, ip: key.endsWith('|*') ? null : ip, start: t, repeated: 0, detail });
      await o.write(req, type, { ip }, detail);
    },
    /** Writes the counts of every window that is over (all of them with `all`, e.g. at shutdown). */
    flush,
  };
}
