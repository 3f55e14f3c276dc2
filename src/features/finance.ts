import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { createAccountsRepository } from './accounts/repository.js';
import { createAccountRemoval } from './accounts/removal.js';
import { createAccountsService } from './accounts/service.js';
import { createBudgetsRepository } from './budgets/repository.js';
import { createCategoriesRepository } from './categories/repository.js';
import { createCategoryRemoval } from './categories/removal.js';
import { createCoachService } from './coach/service.js';
import { createGoalsRepository } from './goals/repository.js';
import { createImportBatchesRepository } from './import/batches.js';
import { createImportRepository } from './import/repository.js';
import { createImportService } from './import/service.js';
import { createRulesRepository } from './rules/repository.js';
import { createRatesRepository } from './rates/repository.js';
import { createRuleApplyRepository } from './rules/apply-repository.js';
import { createRulesApply } from './rules/apply.js';
import { createSchedulesRepository } from './schedules/repository.js';
import { createSchedulesService } from './schedules/service.js';
import { createBulkRepository } from './transactions/bulk-repository.js';
import { createTransactionsRepository } from './transactions/repository.js';
import { createDayTotalsRepository } from './transactions/day-totals.js';

/** The finance features' repositories and services, built once per app. */
export function createFinance(db: Kysely<Database>) {
  const accounts = createAccountsRepository(db);
  const categories = createCategoriesRepository(db);
  const transactions = createTransactionsRepository(db);
  const budgets = createBudgetsRepository(db);
  const rates = createRatesRepository(db);
  const coach = createCoachService({ transactions, budgets, categories, dayTotals: createDayTotalsRepository(db), rates });
  const goals = createGoalsRepository(db);
  const rules = createRulesRepository(db);
  const imports = createImportService({ imports: createImportRepository(db), accounts, categories, rules, transactions });
  const balances = createAccountsService(accounts, rates);
  const schedules = createSchedulesRepository(db);
  const planning = createSchedulesService({ schedules, balances });
  const applyRules = createRulesApply({ rules, rows: createRuleApplyRepository(db) });
  /** Every account (archived ones too) and category of one member: what the ledger's forms choose from and name rows by. */
  const choices = async (sub: string) => {
    const [accountList, categoryList] = await Promise.all([accounts.list(sub, { includeArchived: true }), categories.list(sub)]);
    return { accounts: accountList, categories: categoryList };
  };
  /**
   * The accounts and categories a ledger form names, of those that are the member's (archived and
   * hidden ones too, as in `choices`): what its rules check an add against, without reading them all.
   */
  const choicesNamed = async (sub: string, named: { accountIds: string[]; categoryIds: string[] }) => {
    const found = <T>(rows: Array<T | undefined>) => rows.filter((r): r is T => r !== undefined);
    const [accountList, categoryList] = await Promise.all([
      Promise.all(named.accountIds.map((id) => accounts.find(sub, id))),
      Promise.all(named.categoryIds.map((id) => categories.find(sub, id))),
    ]);
    return { accounts: found(accountList), categories: found(categoryList) };
  };
  const importBatches = createImportBatchesRepository(db);
  const bulk = createBulkRepository(db);
  const accountRemoval = createAccountRemoval(db);
  const categoryRemoval = createCategoryRemoval(db);
  return { db, choices, choicesNamed, rates, importBatches, bulk, accountRemoval, categoryRemoval, accounts, balances, categories, transactions, budgets, coach, goals, rules, applyRules, imports, schedules, planning };
}

export type Finance = ReturnType<typeof createFinance>;
