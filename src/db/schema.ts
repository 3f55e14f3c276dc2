import type { Generated } from 'kysely';

/** Table shapes as Kysely sees them. Timestamps are ISO-8601 UTC strings so SQLite and PostgreSQL agree. */
export interface UsersTable {
  sub: string;
  email: string | null;
  name: string | null;
  picture: string | null;
  email_verified: number;
  /** JSON array of role names, copied from the verified ID token's roles claim at each login. */
  roles: string;
  first_seen_at: string;
  last_login_at: string;
  /** Last sign-in whose ID token showed MFA (amr contains "mfa"). */
  last_mfa_at: string | null;
  display_name: string | null;
  currency: Generated<string>;
  /** 'dot' (1,234.56) or 'comma' (1.234,56): how amounts are typed and shown in the forms. */
  number_style: Generated<string>;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  type: string;
  actor_sub: string | null;
  target_sub: string | null;
  ip: string | null;
  request_id: string | null;
  /** JSON object with event-specific, non-secret details. */
  detail: string;
}

export type CategoryGroup = 'need' | 'want' | 'saving' | 'income';

/** Finance tables: every row carries the owner's `sub`, and every query filters on it. */
export interface AccountsTable {
  id: string;
  user_sub: string;
  name: string;
  currency: string;
  archived: number;
  created_at: string;
  /** checking, savings, cash, investment (assets); credit_card, loan (liabilities). */
  type: Generated<string>;
  /** The balance on opening_date, before any of the account's transactions. */
  opening_balance_minor: Generated<number>;
  opening_date: string | null;
  /** A credit card's limit (positive), which the forecast warns about; null when none was given. */
  credit_limit_minor: number | null;
}

/** A recurring transaction: every `every` days, weeks, months or years, next on `next_date`. */
export interface SchedulesTable {
  id: string;
  user_sub: string;
  account_id: string;
  description: string;
  /** Signed from the account's view, as a transaction's. */
  amount_minor: number;
  category_id: string | null;
  /** A scheduled transfer: the account the money goes to (or comes from, for money in). */
  transfer_account_id: string | null;
  frequency: string;
  every: number;
  /** The day of the month it was set for (1-31), kept through short months. */
  anchor_day: number;
  next_date: string;
  created_at: string;
}

/** A finished reconciliation: the statement the cleared transactions were matched against. */
export interface ReconciliationsTable {
  id: string;
  user_sub: string;
  account_id: string;
  statement_date: string;
  statement_balance_minor: number;
  transactions: number;
  created_at: string;
}

export interface CategoriesTable {
  id: string;
  user_sub: string;
  name: string;
  grp: CategoryGroup;
  created_at: string;
  /** 1: kept for its history, left out of the pickers. */
  hidden: Generated<number>;
}

export interface TransactionsTable {
  id: string;
  user_sub: string;
  account_id: string;
  /** Calendar date YYYY-MM-DD. */
  date: string;
  description: string;
  /** Signed from the account's view: negative = money out. */
  amount_minor: number;
  category_id: string | null;
  imported_id: string | null;
  /** A note beside the payee (YNAB's Memo, OFX MEMO); the description is the payee. */
  memo: string | null;
  created_at: string;
  /** uncleared, cleared (seen on the bank's side) or reconciled (matched to a statement). */
  cleared: Generated<string>;
  /** The other row of a transfer between two of the owner's accounts (which names this one back); null otherwise. */
  transfer_id: string | null;
  /** 1 when the amount is split across categories (the parts are in transaction_splits; category_id is then null). */
  split: Generated<number>;
  /** The import that wrote this row (import_batches); null for rows added by hand. */
  import_batch_id: string | null;
}

/** One part of a split transaction: its category and amount (signed like the transaction's); the parts add up to it. */
export interface TransactionSplitsTable {
  transaction_id: string;
  seq: number;
  user_sub: string;
  category_id: string | null;
  amount_minor: number;
  memo: string | null;
}

/** A month's amount for a category, in one currency: budgets never mix currencies either. */
export interface BudgetsTable {
  user_sub: string;
  month: string;
  currency: string;
  category_id: string;
  amount_minor: number;
}

export interface RulesTable {
  id: string;
  user_sub: string;
  match_text: string;
  category_id: string;
  created_at: string;
  /** payee or memo. */
  match_field: Generated<string>;
  /** contains, equals or starts_with (ignoring case). */
  match_op: Generated<string>;
  /** Only amounts of at least / at most this size (either sign), in the account's minor units. */
  min_amount_minor: number | null;
  max_amount_minor: number | null;
  /** Only transactions of this account. */
  account_id: string | null;
  /** The payee a matching transaction gets. */
  rename_to: string | null;
  /** The order rules are tried in (1 first); the first that matches decides. */
  position: Generated<number>;
}

export interface GoalsTable {
  id: string;
  user_sub: string;
  name: string;
  target_minor: number;
  saved_minor: number;
  target_date: string;
  currency: string;
  created_at: string;
}

/** A confirmed import: undone by deleting the rows that carry its id. */
export interface ImportBatchesTable {
  id: string;
  user_sub: string;
  account_id: string;
  file_name: string;
  row_count: number;
  created_at: string;
}

/** Money put towards one goal on a date (positive; a withdrawal is negative). */
export interface GoalContributionsTable {
  id: string;
  user_sub: string;
  goal_id: string;
  date: string;
  amount_minor: number;
  created_at: string;
}

export interface PendingImportsTable {
  id: string;
  user_sub: string;
  account_id: string;
  /** JSON: what the preview showed (file name, counts, new category names); the rows are in pending_import_chunks. */
  payload: string;
  created_at: string;
}

/** A previewed import's rows, a thousand per chunk, in order. */
export interface PendingImportChunksTable {
  import_id: string;
  seq: number;
  user_sub: string;
  rows_json: string;
}

/**
 * Per user, month, currency (the account's) and category, the sum and count of transactions, and
 * of the money-out ones alone: kept by the transactions repository in the same database
 * transaction as every change, so coaching reads a few hundred rows instead of a year of
 * transactions. `category_key` is '' for uncategorized money.
 */
export interface MonthTotalsTable {
  user_sub: string;
  month: string;
  currency: string;
  category_key: string;
  total_minor: number;
  count: number;
  /** Sum of the negative amounts (money out), so uncategorized spending is not netted against money in. */
  out_minor: number;
  out_count: number;
}

/**
 * Per user and month, the money-out (amount, description) pairs that occur more than once: the
 * candidates for "possible duplicate charge", kept alongside month_totals. `description_key`
 * is the description lower-cased and trimmed by the database.
 */
export interface MonthRepeatsTable {
  user_sub: string;
  month: string;
  currency: string;
  amount_minor: number;
  description_key: string;
  count: number;
}

/** An account deletion under way: present until the user's data is gone. */
export interface AccountDeletionsTable {
  user_sub: string;
  requested_at: string;
  idp_deleted_at: string | null;
  attempts: Generated<number>;
}

/** Per account and month: the sum of its transactions, and of the cleared and reconciled ones. */
export interface AccountMonthTotalsTable {
  user_sub: string;
  account_id: string;
  month: string;
  total_minor: number;
  cleared_minor: number;
}

/** One unit of `currency` is worth rate_e8 / 10^8 units of `base`, from `date` until the next rate. */
export interface ExchangeRatesTable {
  user_sub: string;
  base: string;
  currency: string;
  date: string;
  rate_e8: number;
}

/** A person's size, moved by a trigger on month_totals (migration 024): what the limits are checked against. */
export interface LedgerSizesTable {
  user_sub: string;
  /** Transactions, as month_totals counts them. */
  row_count: number;
  /** All amounts added up without their signs, in minor units of their currencies. */
  volume_minor: number;
}

/** Moved by triggers on every ledger table (migration-021): what cached figures are keyed by. */
export interface LedgerVersionsTable {
  user_sub: string;
  /** New whenever the row is: a person whose row was removed never meets their old versions again. */
  epoch: string;
  version: number;
}

/** As MonthTotalsTable, per day: what converting other currencies at each day's rate reads. */
export type DayTotalsTable = Omit<MonthTotalsTable, 'month'> & { date: string };

/** Server-side sessions (express-session's Store), with the per-user index columns beside the data. */
export interface SessionsTable {
  id: string;
  user_sub: string | null;
  /** The identity provider's session id (`sid` claim), for back-channel logout. */
  oidc_sid: string | null;
  /** The whole express-session object, JSON. */
  data: string;
  /** The app's small per-session details (IP, browser), JSON; null before they were kept apart. */
  meta: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

/** Rate-limit counters when they live in the database: hits of one limiter and client in the current window. */
export interface RateLimitsTable {
  key: string;
  hits: number;
  reset_at: number;
}

export interface Database {
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  day_totals: DayTotalsTable;
  exchange_rates: ExchangeRatesTable;
  ledger_versions: LedgerVersionsTable;
  ledger_sizes: LedgerSizesTable;
  account_month_totals: AccountMonthTotalsTable;
  account_deletions: AccountDeletionsTable;
  reconciliations: ReconciliationsTable;
  month_totals: MonthTotalsTable;
  month_repeats: MonthRepeatsTable;
  pending_imports: PendingImportsTable;
  pending_import_chunks: PendingImportChunksTable;
  users: UsersTable;
  audit_events: AuditEventsTable;
  accounts: AccountsTable;
  categories: CategoriesTable;
  transactions: TransactionsTable;
  transaction_splits: TransactionSplitsTable;
  budgets: BudgetsTable;
  rules: RulesTable;
  goals: GoalsTable;
  goal_contributions: GoalContributionsTable;
  import_batches: ImportBatchesTable;
  schedules: SchedulesTable;
}
