/** What a stored session object looks like to the stores: only these fields are read. */
export interface StoredShape {
  cookie?: { expires?: number | string | Date | null; maxAge?: number | null };
  data?: { userSub?: unknown; sid?: unknown; meta?: unknown };
}

/** The fields a store indexes a session by: its user, its provider session, and the app's meta as JSON. */
export function indexOf(shape: StoredShape): { user_sub: string | null; oidc_sid: string | null; meta: string | null } {
  const meta = shape.data?.meta;
  return {
    user_sub: typeof shape.data?.userSub === 'string' ? shape.data.userSub : null,
    oidc_sid: typeof shape.data?.sid === 'string' ? shape.data.sid : null,
    meta: meta && typeof meta === 'object' ? JSON.stringify(meta) : null,
  };
}

/** When the session ends: its cookie's expiry, else its max age from now, else the default. */
export function expiryOf(shape: StoredShape, now: number, defaultTtlMs: number): number {
  const expires = shape.cookie?.expires;
  if (typeof expires === 'number' && Number.isFinite(expires)) return expires;
  if (expires instanceof Date || typeof expires === 'string') {
    const t = new Date(expires).getTime();
    if (Number.isFinite(t)) return t;
  }
  const maxAge = shape.cookie?.maxAge;
  if (typeof maxAge === 'number' && Number.isFinite(maxAge)) return now + maxAge;
  return now + defaultTtlMs;
}

export function parseMeta(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const meta: unknown = JSON.parse(text);
    return meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
