import type { Kysely, Selectable } from 'kysely';
import type { AuditEventsTable, Database } from '../db/schema.js';

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

function toEvent(r: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    type: r.type,
    actorSub: r.actor_sub,
    targetSub: r.target_sub,
    ip: r.ip,
    requestId: r.request_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
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

    /** Newest first, keyset-paged on (at, id): page N costs the same as page 1. */
    async page(limit: number, before?: { at: string; id: string }): Promise<AuditEvent[]> {
      let q = db.selectFrom('audit_events').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit);
      // A row-value comparison, as for import pages: both engines seek to it in the (at, id) index.
      if (before) q = q.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(before.at, before.id)));
      return (await q.execute()).map(toEvent);
    },

    async deleteBefore(at: string): Promise<number> {
      const r = await db.deleteFrom('audit_events').where('at', '<', at).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
