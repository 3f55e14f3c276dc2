import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface AuditEvent {
  id: string;
  at: string;
  type: string;
  actorSub: string | null;
  targetSub: string | null;
  ip: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

export function createAuditRepository(db: Kysely<Database>) {
  return {
    async insert(e: AuditEvent): Promise<void> {
      await db
        .insertInto('audit_events')
        .values({
          id: e.id,
          at: e.at,
          type: e.type,
          actor_sub: e.actorSub,
          target_sub: e.targetSub,
          ip: e.ip,
          request_id: e.requestId,
          detail: JSON.stringify(e.detail),
        })
        .execute();
    },

    async recent(limit: number, type?: string): Promise<AuditEvent[]> {
      let q = db.selectFrom('audit_events').selectAll().orderBy('at', 'desc').orderBy('id').limit(limit);
      if (type) q = q.where('type', '=', type);
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        type: r.type,
        actorSub: r.actor_sub,
        targetSub: r.target_sub,
        ip: r.ip,
        requestId: r.request_id,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
