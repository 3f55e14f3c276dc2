export const DEFAULT_RETURN_TO = '/dashboard';

const PROBE_ORIGIN = 'http://return-to.invalid';

/**
 * The one function every returnTo goes through (login, logout, step-up). Only a same-origin
 * path survives; anything else, including protocol-relative, backslash and encoded tricks,
 * becomes the fallback. The result is re-serialised by the URL parser, never echoed raw.
 */
export function safeReturnTo(value: unknown, fallback: string = DEFAULT_RETURN_TO): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  // Must be a rooted path, and not `//host` or `/\host`, which browsers treat as another origin.
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  // Control characters, raw or percent-encoded (CR/LF header splitting, NUL, tabs that browsers strip), are never legitimate here.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value) || /%(?:[01][0-9a-f]|7f)/i.test(value)) return fallback;
  // Encoded slashes or backslashes at the start would turn into `//` for a server that decodes before redirecting.
  if (/^\/(%2f|%5c)/i.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? fallback : path;
}
