import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface Rule {
  id: string;
  matchText: string;
  categoryId: string;
}

/** Auto-categorisation rules: a description containing `matchText` goes to `categoryId`. */
export function createRulesRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string): Promise<Rule[]> {
      const rows = await db.selectFrom('rules').select(['id', 'match_text', 'category_id']).where('user_sub', '=', userSub).orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, matchText: r.match_text, categoryId: r.category_id }));
    },
    async create(userSub: string, matchText: string, categoryId: string, now: Date): Promise<void> {
      await db.insertInto('rules').values({ id: crypto.randomUUID(), user_sub: userSub, match_text: matchText, category_id: categoryId, created_at: now.toISOString() }).execute();
    },
  };
}

/** The first rule whose text the description contains (case-insensitive), or null. */
export function categorize(description: string, rules: Rule[]): string | null {
  const d = description.toLowerCase();
  return rules.find((r) => d.includes(r.matchText.toLowerCase()))?.categoryId ?? null;
}

export type RulesRepository = ReturnType<typeof createRulesRepository>;
