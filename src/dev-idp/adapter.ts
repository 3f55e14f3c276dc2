import type BetterSqlite3 from 'better-sqlite3';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage (sessions, codes, grants, interactions) in SQLite, so a restart of
 * the development provider keeps everyone signed in. Development only, hence plain SQL here.
 */
export function createAdapterClass(sqlite: BetterSqlite3.Database, now: () => number = () => Date.now()) {
  sqlite.exec(`
    CREATE TABLE IF NOT EXISTS oidc_models (
      model TEXT NOT NULL,
      id TEXT NOT NULL,
      payload TEXT NOT NULL,
      grant_id TEXT,
      user_code TEXT,
      uid TEXT,
      expires_at INTEGER,
      consumed_at INTEGER,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id);
    CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid);
  `);
  const upsert = sqlite.prepare(`
    INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
    VALUES (@model, @id, @payload, @grant_id, @user_code, @uid, @expires_at)
    ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
      user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at, consumed_at = NULL`);
  const findBy = (column: 'id' | 'uid' | 'user_code') =>
    sqlite.prepare(`SELECT payload, consumed_at, expires_at FROM oidc_models WHERE model = ? AND ${column} = ?`);
  const byId = findBy('id');
  const byUid = findBy('uid');
  const byUserCode = findBy('user_code');
  const consume = sqlite.prepare('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?');
  const destroy = sqlite.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?');
  const revoke = sqlite.prepare('DELETE FROM oidc_models WHERE grant_id = ?');
  const prune = sqlite.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?');
  const byAccount = sqlite.prepare("DELETE FROM oidc_models WHERE model <> 'Client' AND json_extract(payload, '$.accountId') = ?");

  type Row = { payload: string; consumed_at: number | null; expires_at: number | null } | undefined;
  const read = (row: Row): AdapterPayload | undefined => {
    if (!row || (row.expires_at !== null && row.expires_at <= now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at ? { ...payload, consumed: row.consumed_at } : payload;
  };

  return class SqliteOidcAdapter implements Adapter {
    constructor(private readonly model: string) {}

    static prune(): number {
      return prune.run(now()).changes;
    }

    /** Ends every session, grant and token of one account (deleted, or its password changed). */
    static destroyAccount(accountId: string): number {
      return byAccount.run(accountId).changes;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      upsert.run({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? now() + expiresIn * 1000 : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return read(byId.get(this.model, id) as Row);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return read(byUid.get(this.model, uid) as Row);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return read(byUserCode.get(this.model, userCode) as Row);
    }

    async consume(id: string): Promise<void> {
      consume.run(Math.floor(now() / 1000), this.model, id);
    }

    async destroy(id: string): Promise<void> {
      destroy.run(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      revoke.run(grantId);
    }
  };
}
