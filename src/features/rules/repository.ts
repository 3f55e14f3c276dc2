import { ledgerTransaction } from '../../db/engine.js';
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import type { Rule } from './matching.js';

export type { Rule } from './matching.js';
export type RuleInput = Omit<Rule, 'id' | 'position'>;

/** Rules per person: each imported row is checked against all of them. */
export const MAX_RULES = 200;

const COLUMNS = ['id', 'match_text', 'category_id', 'match_field', 'match_op', 'min_amount_minor', 'max_amount_minor', 'account_id', 'rename_to', 'position'] as const;

function toRule(r: { id: string; match_text: string; category_id: string; match_field: string; match_op: string; min_amount_minor: number | null; max_amount_minor: number | null; account_id: string | null; rename_to: string | null; position: number }): Rule {
  return {
    id: r.id,
    matchText: r.match_text,
    categoryId: r.category_id,
    field: r.match_field === 'memo' ? 'memo' : 'payee',
    op: r.match_op === 'equals' || r.match_op === 'starts_with' ? r.match_op : 'contains',
    minAmount: r.min_amount_minor === null ? null : Number(r.min_amount_minor),
    maxAmount: r.max_amount_minor === null ? null : Number(r.max_amount_minor),
    accountId: r.account_id,
    renameTo: r.rename_to,
    position: Number(r.position),
  };
}

/** A rule's columns as stored (the restore writes them through this too). */
export const ruleValues = (r: RuleInput) => ({
  match_text: r.matchText,
  category_id: r.categoryId,
  match_field: r.field,
  match_op: r.op,
  min_amount_minor: r.minAmount,
  max_amount_minor: r.maxAmount,
  account_id: r.accountId,
  rename_to: r.renameTo,
});

/** Categorisation rules, tried in order; every statement is scoped by the owner's sub. */
export function createRulesRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string): Promise<Rule[]> {
      const rows = await db.selectFrom('rules').select(COLUMNS).where('user_sub', '=', userSub).orderBy('position').orderBy('created_at').execute();
      return rows.map(toRule);
    },

    async find(userSub: string, id: string): Promise<Rule | undefined> {
      const r = await db.selectFrom('rules').select(COLUMNS).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return r && toRule(r);
    },

    /** Adds a rule at the end of the order, unless there are MAX_RULES already (checked in the same transaction). */
    async create(userSub: string, r: RuleInput, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await ledgerTransaction(db, userSub, async (trx) => {
        const n = await trx.selectFrom('rules').select([sql<number>`count(*)`.as('n'), sql<number | null>`max(position)`.as('last')]).where('user_sub', '=', userSub).executeTakeFirstOrThrow();
        if (Number(n.n) >= MAX_RULES) throw new HttpError(400, `You have ${MAX_RULES} rules, the most there can be.`);
        await trx.insertInto('rules').values({ id, user_sub: userSub, ...ruleValues(r), position: Number(n.last ?? 0) + 1, created_at: now.toISOString() }).execute();
      });
      return id;
    },

    async update(userSub: string, id: string, r: RuleInput): Promise<boolean> {
      const res = await db.updateTable('rules').set(ruleValues(r)).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async remove(userSub: string, id: string): Promise<boolean> {
      const res = await db.deleteFrom('rules').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) === 1;
    },

    /** Moves a rule one place up or down the order (swapping with its neighbour); the order is renumbered 1..n. */
    async move(userSub: string, id: string, direction: 'up' | 'down'): Promise<boolean> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const ids = (await trx.selectFrom('rules').select('id').where('user_sub', '=', userSub).orderBy('position').orderBy('created_at').execute()).map((r) => r.id);
        const i = ids.indexOf(id);
        if (i === -1) return false;
        const j = direction === 'up' ? i - 1 : i + 1;
        if (j < 0 || j >= ids.length) return true;
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
        for (const [k, rid] of ids.entries()) await trx.updateTable('rules').set({ position: k + 1 }).where('user_sub', '=', userSub).where('id', '=', rid).execute();
        return true;
      });
    },
  };
}

/** "Payee contains <text>: <category>", the rule offered after a transaction is re-categorised by hand. */
export function containsRule(matchText: string, categoryId: string): RuleInput {
  return { matchText, categoryId, field: 'payee', op: 'contains', minAmount: null, maxAmount: null, accountId: null, renameTo: null };
}

export type RulesRepository = ReturnType<typeof createRulesRepository>;
