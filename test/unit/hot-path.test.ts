import BetterSqlite3 from 'better-sqlite3';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { idTokenClaims } from '../../src/auth/claims-cache.js';
import type { AppSessionData } from '../../src/sessions/access.js';
import { withStatementCache } from '../../src/db/statement-cache.js';

describe('ID token claims cache', () => {
  /** A stand-in for the library's request context: a prototype getter that counts its decodes. */
  function requestFor(session: { id_token?: string; sid?: string }) {
    let decodes = 0;
    class Context {
      get idTokenClaims() {
        decodes++;
        return session.id_token ? { sub: session.id_token, sid: session.sid, roles: ['member'] } : undefined;
      }
    }
    const req = { oidc: new Context(), pfc_session: session } as unknown as Request;
    const claims = () => idTokenClaims(req, (r) => (r as unknown as { pfc_session: AppSessionData }).pfc_session);
    return { req, claims, decodes: () => decodes };
  }
  let tokens = 0;
  const token = () => `token-${++tokens}-${Math.random()}`;

  it('decode the ID token once however often a request reads the claims', () => {
    const t = token();
    const { claims, decodes } = requestFor({ id_token: t });
    expect(claims()).toEqual({ sub: t, roles: ['member'] });
    expect(claims()).toEqual({ sub: t, roles: ['member'] });
    expect(decodes()).toBe(1);
  });

  it('decode again when the session gets another ID token, and give nothing when it loses it', () => {
    const [a, b] = [token(), token()];
    const session: { id_token?: string } = { id_token: a };
    const { claims, decodes } = requestFor(session);
    expect(claims()).toMatchObject({ sub: a });
    session.id_token = b;
    expect(claims()).toMatchObject({ sub: b });
    delete session.id_token;
    expect(claims()).toBeUndefined();
    expect(decodes()).toBe(2);
  });

  it('decode a token once per process: the next request with the same token and sid decodes nothing', () => {
    const t = token();
    const first = requestFor({ id_token: t, sid: 'sid-1' });
    expect(first.claims()).toMatchObject({ sub: t, sid: 'sid-1' });
    const again = requestFor({ id_token: t, sid: 'sid-1' });
    expect(again.claims()).toBe(first.claims());
    expect(again.decodes()).toBe(0);
    // The library adds the session's backup sid to the claims: another sid is another entry.
    const otherSid = requestFor({ id_token: t, sid: 'sid-2' });
    expect(otherSid.claims()).toMatchObject({ sub: t, sid: 'sid-2' });
    expect(otherSid.decodes()).toBe(1);
  });

  it('hand every reader one object frozen through and through, so no reader can change what the next one sees', () => {
    const { claims } = requestFor({ id_token: token() });
    const read = claims() as unknown as { roles: string[] };
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.isFrozen(read.roles)).toBe(true);
  });

  it('install nothing on the library context: no getter is made per request (V8 keeps such closures, and all they reach, until a full collection)', () => {
    const { req, claims } = requestFor({ id_token: token() });
    claims();
    expect(Object.getOwnPropertyNames(req.oidc)).toEqual([]);
  });
});

describe('prepared statement cache', () => {
  it('prepare each SQL text once and keep the most recently used statements', () => {
    const sqlite = new BetterSqlite3(':memory:');
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof sqlite.prepare;
    const db = withStatementCache(sqlite, 2);
    const a = db.prepare('SELECT 1');
    expect(db.prepare('SELECT 1')).toBe(a);
    db.prepare('SELECT 2');
    db.prepare('SELECT 1'); // most recently used: SELECT 2 is now the oldest
    db.prepare('SELECT 3'); // evicts SELECT 2
    expect(db.prepare('SELECT 1')).toBe(a);
    expect(prepared).toBe(3);
    db.prepare('SELECT 2');
    expect(prepared).toBe(4);
  });

  it("give rows with the same keys, order and values as better-sqlite3's own objects, through all and iterate", () => {
    const sqlite = new BetterSqlite3(':memory:');
    sqlite.exec("CREATE TABLE t (a INTEGER, b TEXT, c REAL, d BLOB); INSERT INTO t VALUES (1, 'x', 1.5, NULL), (2, NULL, -3, x'00ff')");
    const db = withStatementCache(sqlite);
    // A repeated name keeps its last value, as better-sqlite3 does.
    for (const sql of ['SELECT * FROM t ORDER BY a', 'SELECT a, b AS a, c FROM t ORDER BY a', 'SELECT a FROM t WHERE a > ?']) {
      const own = sqlite.prepare(sql).all(sql.includes('?') ? [5] : []);
      const rows = db.prepare(sql).all(sql.includes('?') ? [5] : []) as unknown[];
      expect(rows).toEqual(own);
      expect(rows.map((r) => Object.keys(r as object))).toEqual(own.map((r) => Object.keys(r as object)));
      expect([...db.prepare(sql).iterate(sql.includes('?') ? [5] : [])]).toEqual(own);
    }
    expect(db.prepare('SELECT a, b AS a FROM t WHERE t.a = 1').all([])).toEqual([{ a: 'x' }]);
    expect(db.prepare('UPDATE t SET b = ? WHERE a = 1').run(['y'])).toMatchObject({ changes: 1 });
  });

  it('give a fresh statement while the cached one is still being iterated', () => {
    const sqlite = new BetterSqlite3(':memory:');
    const db = withStatementCache(sqlite);
    const first = db.prepare('SELECT 1 AS n UNION ALL SELECT 2') as unknown as BetterSqlite3.Statement;
    const iterator = first.iterate();
    iterator.next();
    const second = db.prepare('SELECT 1 AS n UNION ALL SELECT 2') as unknown as BetterSqlite3.Statement;
    expect(second).not.toBe(first);
    expect(second.all()).toEqual([{ n: 1 }, { n: 2 }]);
    iterator.return?.();
  });
});

describe('session id signatures', () => {
  it('accept the ids they generate and give back the bare store key', async () => {
    const { createSessionIdSigner } = await import('../../src/sessions/signed-ids.js');
    const signer = createSessionIdSigner('a-secret-that-is-long-enough-0123456789abcdef', 'pfc_session');
    const cookie = signer.generate();
    const [id] = cookie.split('.');
    expect(signer.verify(cookie)).toBe(id);
  });

  it('refuse unsigned, forged, re-encoded, other-cookie and other-secret values', async () => {
    const { createSessionIdSigner } = await import('../../src/sessions/signed-ids.js');
    const signer = createSessionIdSigner('a-secret-that-is-long-enough-0123456789abcdef', 'pfc_session');
    const cookie = signer.generate();
    const [id, sig] = cookie.split('.') as [string, string];
    expect(signer.verify(id)).toBeNull();
    expect(signer.verify(`${id}.${'A'.repeat(43)}`)).toBeNull();
    expect(signer.verify(`${id}x.${sig}`)).toBeNull();
    expect(signer.verify(`${id}.${sig}=`)).toBeNull();
    expect(signer.verify(`${id}.${sig.slice(0, 42)}*`)).toBeNull();
    expect(createSessionIdSigner('a-secret-that-is-long-enough-0123456789abcdef', 'other').verify(cookie)).toBeNull();
    expect(createSessionIdSigner('another-secret-that-is-long-enough-0123456789', 'pfc_session').verify(cookie)).toBeNull();
  });

  it('keep refusing forged values after the genuine one has been accepted and remembered', async () => {
    const { createSessionIdSigner } = await import('../../src/sessions/signed-ids.js');
    const signer = createSessionIdSigner('a-secret-that-is-long-enough-0123456789abcdef', 'pfc_session');
    const other = createSessionIdSigner('another-secret-that-is-long-enough-0123456789', 'pfc_session');
    const cookie = signer.generate();
    const [id, sig] = cookie.split('.') as [string, string];
    const forged = `${id}.${sig.slice(0, 42)}${sig.endsWith('A') ? 'B' : 'A'}`;
    for (let i = 0; i < 3; i++) {
      expect(signer.verify(cookie)).toBe(id);
      expect(signer.verify(forged)).toBeNull();
      expect(signer.verify(`${id}.${'A'.repeat(43)}`)).toBeNull();
      expect(other.verify(cookie)).toBeNull();
    }
    // Past the bound of remembered values, genuine values still verify and forged ones still fail.
    const many = Array.from({ length: 10_050 }, () => signer.generate());
    for (const c of many) expect(signer.verify(c)).toBe(c.split('.')[0]);
    expect(signer.verify(cookie)).toBe(id);
    expect(signer.verify(`${many[0]!.split('.')[0]}.${sig}`)).toBeNull();
  });

  it('sign exactly as express-openid-connect does, so sessions issued before the switch stay valid', async () => {
    const { createSessionIdSigner } = await import('../../src/sessions/signed-ids.js');
    const { createRequire } = await import('node:module');
    const eoc = createRequire(import.meta.url)('express-openid-connect/lib/crypto.js') as {
      signing: (secret: string) => Buffer;
      signCookie: (name: string, value: string, key: Buffer) => Promise<string>;
    };
    const secret = 'a-secret-that-is-long-enough-0123456789abcdef';
    const signedByLibrary = await eoc.signCookie('pfc_session', 'abcdefghijklmnopqrstuvwxyz012345', eoc.signing(secret));
    expect(createSessionIdSigner(secret, 'pfc_session').verify(signedByLibrary)).toBe('abcdefghijklmnopqrstuvwxyz012345');
  });
});
