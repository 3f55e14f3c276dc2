import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { compiledQuery } from '../../db/compiled-query.js';
import type { CategoryGroup, Database } from '../../db/schema.js';

export interface Category {
  id: string;
  name: string;
  group: CategoryGroup;
  /** Kept for its history, left out of the pickers. */
  hidden: boolean;
}

/** Per person: enough for any household, small enough that every per-row check against them stays cheap. */
export const MAX_CATEGORIES = 200;

/** What every user starts with; they can rename, regroup and add. */
export const DEFAULT_CATEGORIES: Array<[string, CategoryGroup]> = [
  ['Salary', 'income'],
  ['Other income', 'income'],
  ['Rent', 'need'],
  ['Groceries', 'need'],
  ['Utilities', 'need'],
  ['Transport', 'need'],
  ['Health', 'need'],
  ['Dining out', 'want'],
  ['Entertainment', 'want'],
  ['Shopping', 'want'],
  ['Travel', 'want'],
  ['Savings', 'saving'],
  ['Debt payments', 'saving'],
];

/** Every finance page checks that the member's starting categories exist: compiled once. */
const anyCategory = compiledQuery((db, userSub: string) => db.selectFrom('categories').select('id').where('user_sub', '=', userSub).limit(1));

const CATEGORY_COLUMNS = ['id', 'name', 'grp', 'hidden'] as const;

const everyCategory = compiledQuery((db, userSub: string) => db.selectFrom('categories').select(CATEGORY_COLUMNS).where('user_sub', '=', userSub).orderBy('grp').orderBy('name'));

const toCategory = (r: { id: string; name: string; grp: CategoryGroup; hidden: number }): Category => ({ id: r.id, name: r.name, group: r.grp, hidden: r.hidden === 1 });

const oneCategory = compiledQuery((db, userSub: string, id: string) => db.selectFrom('categories').select(CATEGORY_COLUMNS).where('user_sub', '=', userSub).where('id', '=', id));

export function createCategoriesRepository(db: Kysely<Database>) {
  return {
    /** One category by id, the owner's only (hidden ones too, as in list). */
    async find(userSub: string, id: string): Promise<Category | undefined> {
      const [r] = await oneCategory(db, userSub, id);
      return r && toCategory(r);
    },

    async list(userSub: string): Promise<Category[]> {
      const rows = await everyCategory(db, userSub);
      return rows.map(toCategory);
    },

    /** Seeds the default categories once; a no-op when the user has any. */
    async ensureSeeded(userSub: string, now: Date): Promise<void> {
      const [any] = await anyCategory(db, userSub);
      if (any) return;
      await db
        .insertInto('categories')
        .values(DEFAULT_CATEGORIES.map(([name, grp]) => ({ id: crypto.randomUUID(), user_sub: userSub, name, grp, created_at: now.toISOString() })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },

    async update(userSub: string, id: string, name: string, group: CategoryGroup): Promise<boolean> {
      const r = await db.updateTable('categories').set({ name, grp: group }).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async setHidden(userSub: string, id: string, hidden: boolean): Promise<boolean> {
      const r = await db.updateTable('categories').set({ hidden: hidden ? 1 : 0 }).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async create(userSub: string, name: string, group: CategoryGroup, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await db.insertInto('categories').values({ id, user_sub: userSub, name, grp: group, created_at: now.toISOString() }).execute();
      return id;
    },
  };
}

export type CategoriesRepository = ReturnType<typeof createCategoriesRepository>;
