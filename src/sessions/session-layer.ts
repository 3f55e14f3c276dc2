import { createRequire } from 'node:module';
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import type { SessionData } from 'express-session';
import type { SessionSettings } from '../auth/oidc.js';
import type { Callback } from './types.js';
import { withFields } from '../lib/objects.js';

/** What the layer asks of the store (the guarded, signed-id store): express-session's calls, keyed by cookie value. */
export interface SessionLayerStore {
  get(cookieValue: string, callback: Callback<SessionData | null>): void;
  set(cookieValue: string, session: SessionData, callback?: Callback): void;
  destroy(cookieValue: string, callback?: Callback): void;
  /**
   * True when saving this session under this id would only move its idle deadline a little, and
   * the store skips such a write (the guarded store's `touchAfterSeconds`). The layer then leaves
   * the cookie as the browser has it: its Expires stays the stored deadline.
   */
  isUnchangedTouch?(cookieValue: string, session: SessionData): boolean;
}

/** The settings (`name` is also where express-openid-connect reads and writes the data, `req[name]`), and what the layer uses. */
export interface SessionLayerOptions extends SessionSettings {
  store: SessionLayerStore;
  /** A new signed id: the cookie value of a new session. */
  newId(): string;
  /** Real time in epoch seconds, as the stored timestamps are (the library wrote them so). */
  nowSeconds(): number;
  /** The app's `app.response`: the layer saves the session when a response ends, through it. */
  response: Response;
}

export interface SessionLayer {
  /** Reads the session named by the cookie and puts its data on `req[name]` (an empty object when there is none). */
  middleware: RequestHandler;
  /** express-openid-connect's `session.genid`, which it calls when a sign-in must start a new session id. */
  newIdFor(req: Request): string;
}

/**
 * The library's key for the parsed cookies on a request: its login callback finds its transaction
 * cookie there. The package has no `exports` map, so the file can be named; checked at startup.
 */
const COOKIES = createRequire(import.meta.url)('express-openid-connect/lib/cookies.js') as unknown;

/** What the stored timestamps look like (epoch seconds), as express-openid-connect wrote them. */
interface StoredSession {
  header?: { iat?: unknown; uat?: unknown; exp?: unknown };
  data?: unknown;
}

/** The IdP-asserted ceiling (`session_expiry` at login) is enforced this many seconds early, for clock skew. */
const EXPIRY_LEEWAY_SECONDS = 30;

/** The timestamps a session is saved with (epoch seconds); the cookie expires at `exp`. */
interface Expiry {
  iat: number;
  uat: number;
  exp: number;
}

/** One request's session: what was read, and the id it is saved under. */
class SessionState {
  /** The id a sign-in started (the old one is deleted at the end). */
  newId: string | undefined = undefined;
  /** Made on first need, for a session that had no cookie and gained data. */
  madeId: string | undefined = undefined;
  /**
   * Decided once, when the response starts going out (its headers or its end, whichever is
   * first): the new timestamps when the session is kept, null when it is emptied. The cookie's
   * Expires and the stored exp are the same value.
   */
  outcome: Expiry | null | undefined = undefined;
  cookieSent = false;
  saved = false;
  /** The save was skipped as an unchanged touch: the browser's cookie already says what is stored. */
  cookieKept = false;
  constructor(
    readonly req: Request,
    /** The cookie value the request came with, if any (valid or not). */
    readonly cookieValue: string | undefined,
    /** When the session read started (epoch seconds); undefined for a new one. */
    readonly iat: number | undefined,
    readonly next: (err?: unknown) => void,
  ) {}
}

const STATE = Symbol('session state');
type WithState = Response & { [STATE]?: SessionState };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The server-side session, in place of express-openid-connect's own session middleware (which its
 * `auth()` mounts first, and which the app no longer mounts). It does what that middleware did
 * with a custom store, with the same cookie, the same stored shape and the same rules:
 * - the cookie names a stored session; one past its stored expiry, its idle timeout, its absolute
 *   lifetime or the provider's ceiling is no session (and is deleted at the end of the response);
 * - the data is `req[name]`, where the library's login callback and `req.oidc` read and write it;
 * - when a sign-in starts a new id (the library calls `session.genid`), the old entry is deleted
 *   and the session saved under the new id: session fixation is not possible;
 * - at the end of each response the session is saved, and the cookie is set again with the moved
 *   idle deadline, or cleared when the session was emptied (sign-out, account deletion); when the
 *   store skips the save as an unchanged touch, the cookie is left as it is too.
 *
 * What it does not do is make anything per request that outlives the request: the library made
 * a getter and setter, an `on-headers` wrapper and an async `res.end` for every request, closures
 * that V8's scavenger keeps until a full collection, and promisified each store call. Here the
 * data is a plain property, and the save and the cookie are two methods of the app's response
 * prototype that act only on responses whose request went through this layer. About 8% of a
 * signed-in page's CPU was the library's session handling.
 */
export function createSessionLayer(options: SessionLayerOptions): SessionLayer {
  if (typeof COOKIES !== 'symbol') {
    throw new Error(
      "express-openid-connect's lib/cookies.js no longer exports the symbol its login callback reads parsed cookies from. " +
        'Check src/sessions/session-layer.ts against the installed library before upgrading.',
    );
  }
  const { name, store, cookie: cookieOptions } = options;
  const { httpOnly: _httpOnly, ...clearOptions } = cookieOptions;

  const dataOf = (req: Request): unknown => (req as unknown as Record<string, unknown>)[name];
  /**
   * The id the session is saved under: a sign-in's new id; else the cookie's, only if it named a
   * valid session (an unknown or ended id, even genuinely signed, is never brought back to life
   * with new data); else one made now.
   */
  const idOf = (state: SessionState): string => state.newId ?? (state.iat !== undefined ? state.cookieValue : undefined) ?? (state.madeId ??= options.newId());

  /** The stored timestamps, when the stored session is still valid now; otherwise undefined. */
  function validIat(stored: unknown, now: number): number | undefined {
    const { header, data } = (isObject(stored) ? stored : {}) as StoredSession;
    if (!isObject(header) || !isObject(data)) return undefined;
    const { iat, uat, exp } = header;
    if (typeof iat !== 'number' || typeof uat !== 'number' || typeof exp !== 'number') return undefined;
    if (!(exp > now && uat + options.rollingSeconds > now && iat + options.absoluteSeconds > now)) return undefined;
    const ceiling = data.sessionExpiresAt;
    if (typeof ceiling === 'number' && now >= ceiling - EXPIRY_LEEWAY_SECONDS) return undefined;
    return iat;
  }

  /**
   * The response's outcome, decided on first call: a session with data is kept until the idle
   * deadline, capped by the absolute lifetime and the provider's ceiling; an empty one is not.
   */
  function outcomeOf(state: SessionState): Expiry | null {
    if (state.outcome !== undefined) return state.outcome;
    const data = dataOf(state.req);
    if (!isObject(data) || Object.keys(data).length === 0) return (state.outcome = null);
    const now = options.nowSeconds();
    const iat = state.iat ?? now;
    let exp = Math.min(now + options.rollingSeconds, iat + options.absoluteSeconds);
    if (typeof data.sessionExpiresAt === 'number') exp = Math.min(exp, data.sessionExpiresAt);
    return (state.outcome = { iat, uat: now, exp });
  }

  function attach(req: Request, res: Response, next: (err?: unknown) => void, cookieValue: string | undefined, stored: unknown): void {
    const iat = stored === undefined ? undefined : validIat(stored, options.nowSeconds());
    (req as unknown as Record<string, unknown>)[name] = iat === undefined ? {} : (stored as StoredSession).data;
    (res as WithState)[STATE] = new SessionState(req, cookieValue, iat, next);
    next();
  }

  const base = { end: options.response.end, writeHead: options.response.writeHead };

  /** Saves (or deletes) the session before the response is sent, then sends it. */
  function endWithSession(this: WithState, ...args: unknown[]): Response {
    const state = this[STATE];
    if (state === undefined || state.saved) return base.end.apply(this, args as never) as Response;
    state.saved = true;
    const expiry = outcomeOf(state);
    const send = (err?: unknown) => {
      if (err) {
        process.nextTick(state.next, err);
        return;
      }
      base.end.apply(this, args as never);
    };
    const save = (err?: unknown) => {
      if (err || expiry === null) return send(err);
      const { exp } = expiry;
      const session = { header: expiry, data: dataOf(state.req), cookie: { expires: exp * 1000, maxAge: exp * 1000 - Date.now() } } as unknown as SessionData;
      const id = idOf(state);
      if (store.isUnchangedTouch?.(id, session) === true) {
        state.cookieKept = true;
        return send();
      }
      store.set(id, session, send);
    };
    try {
      // The cookie's entry goes when the session ends, when a sign-in replaces its id, or when it
      // was not a valid session (expired: its row is deleted).
      if (state.cookieValue !== undefined && (state.newId !== undefined || expiry === null || state.iat === undefined)) store.destroy(state.cookieValue, save);
      else save();
    } catch (err) {
      send(err);
    }
    return this;
  }

  /** Sets the session cookie with the moved deadline (or clears it) as the headers go out. */
  function writeHeadWithSession(this: WithState, ...args: unknown[]): Response {
    const state = this[STATE];
    if (state !== undefined && !state.cookieSent) {
      state.cookieSent = true;
      const expiry = outcomeOf(state);
      // Not sent again when the session was not written (an unchanged touch, decided in `end`
      // before the headers of a whole response go out): the cookie's Expires and the stored
      // deadline stay the same value, and the response carries no Set-Cookie it does not need.
      if (expiry !== null) {
        if (!state.cookieKept) this.cookie(name, idOf(state), withFields(cookieOptions, { expires: new Date(expiry.exp * 1000) }));
      } else if (state.cookieValue !== undefined) this.clearCookie(name, clearOptions);
    }
    return base.writeHead.apply(this, args as never) as Response;
  }

  Object.defineProperties(options.response, {
    end: { value: endWithSession, writable: true, configurable: true },
    writeHead: { value: writeHeadWithSession, writable: true, configurable: true },
  });

  return {
    middleware: function appSession(req, res, next) {
      const cookies = parseCookies(req.headers.cookie ?? '');
      (req as unknown as Record<symbol, unknown>)[COOKIES as symbol] = cookies;
      const cookieValue = cookies[name] || undefined;
      if (cookieValue === undefined) return attach(req, res, next, undefined, undefined);
      store.get(cookieValue, (err, stored) => attach(req, res, next, cookieValue, err ? undefined : (stored ?? undefined)));
    },
    newIdFor(req) {
      const id = options.newId();
      const state = (req.res as WithState | undefined)?.[STATE];
      if (state !== undefined) state.newId = id;
      return id;
    },
  };
}
