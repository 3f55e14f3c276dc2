import crypto from 'node:crypto';
import { ForgetfulMap } from '../lib/forgetful-map.js';

/**
 * Session cookies carry `<random id>.<HMAC>`; the store is keyed by the random id alone, so a
 * copy of the session table holds no usable cookie.
 *
 * express-openid-connect can sign the cookie itself, but it checks the signature through
 * WebCrypto, which hands every check to the thread pool: measured at about 0.6 ms of waiting on
 * every signed-in request. This signs the same way (HS256 over `<name>=<id>` as an unencoded JWS,
 * RFC 7797, with the key derived from APP_SECRET_KEY exactly as the library derives it), so
 * sessions issued before stay valid, and checks synchronously in a few microseconds.
 */
export interface SessionIdSigner {
  /** A new random id with its signature: the cookie value. */
  generate(): string;
  /** The store key of a genuine cookie value, or null for anything unsigned, forged or malformed. */
  verify(cookieValue: string): string | null;
}

const HEADER_B64 = Buffer.from(JSON.stringify({ alg: 'HS256', b64: false, crit: ['b64'] })).toString('base64url');
const ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
/** Genuine cookie values remembered per process (about 200 bytes each). */
const MAX_VERIFIED = 10_000;

export function createSessionIdSigner(secret: string, cookieName: string): SessionIdSigner {
  const key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'JWS Cookie Signing', 32));
  // A cookie value's verdict never changes for this key, and a signed-in person sends the same
  // value on every request: genuine values are remembered, so most requests compute no HMAC.
  const verified = new ForgetfulMap<string, string>(MAX_VERIFIED);
  const mac = (id: string) => crypto.createHmac('sha256', key).update(`${HEADER_B64}.${cookieName}=${id}`).digest();

  return {
    generate() {
      const id = crypto.randomBytes(32).toString('base64url');
      return `${id}.${mac(id).toString('base64url')}`;
    },
    verify(cookieValue) {
      const known = verified.get(cookieValue);
      if (known !== undefined) return known;
      const id = check(cookieValue);
      if (id !== null) {
        // Only genuine values are kept; bounded, because a busy process sees many.
        verified.set(cookieValue, id);
      }
      return id;
    },
  };

  function check(cookieValue: string): string | null {
    const dot = cookieValue.indexOf('.');
    if (dot < 0) return null;
    const id = cookieValue.slice(0, dot);
    const given = Buffer.from(cookieValue.slice(dot + 1));
    if (!ID_PATTERN.test(id) || given.length !== 43) return null;
    // Compared as text: base64url decoding forgives stray characters, so only the exact signature passes.
    return crypto.timingSafeEqual(given, Buffer.from(mac(id).toString('base64url'))) ? id : null;
  }
}

