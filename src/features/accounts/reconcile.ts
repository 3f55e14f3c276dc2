import express, { type Request, type Response, type Router } from 'express';
import { plural } from '../../lib/text.js';
import type { Finance } from '../finance.js';
import { isCalendarDate } from '../../money/dates.js';
import { formatMoney, parseAmount, type DecimalStyle } from '../../money/money.js';
import { balancesOf } from './balances.js';
import type { Account } from './repository.js';
import { withFields } from '../../lib/objects.js';

/** Uncleared transactions listed on the page; more than this is a sign of the wrong date. */
const UNCLEARED_SHOWN = 200;

interface Statement {
  date: string;
  balance: number;
}

/** The statement from the form or query; errors per field, what was typed kept. */
function parseStatement(src: Record<string, unknown>, account: Account, today: string, style: DecimalStyle) {
  const typed = { date: typeof src.date === 'string' ? src.date.trim() : '', balance: typeof src.balance === 'string' ? src.balance : '' };
  const errors: Partial<Record<'date' | 'balance', string>> = {};
  if (!isCalendarDate(typed.date)) errors.date = 'Enter the statement date as YYYY-MM-DD.';
  else if (typed.date > today) errors.date = 'The statement date cannot be after today.';
  const amount = parseAmount(typed.balance, account.currency, style);
  if (!amount.ok) errors.balance = amount.error;
  const statement: Statement | null = Object.keys(errors).length === 0 && amount.ok ? { date: typed.date, balance: amount.minor } : null;
  return { typed, errors, statement };
}

/**
 * /accounts/:id/reconcile. The person enters a statement's date and closing balance; the page
 * shows the cleared balance on that date and the difference, with the uncleared transactions up
 * to it (each can be marked cleared). At a difference of zero, "finish" marks the cleared
 * transactions up to the statement date reconciled; editing one later asks for confirmation.
 */
export function reconcileRoutes(deps: { finance: Finance; owned: (req: Request) => Promise<Account> }): Router {
  const { finance } = deps;
  const router = express.Router({ mergeParams: true });

  /** The cleared balance on a day, by the same rule as the accounts page (balances.ts). */
  async function clearedOn(sub: string, account: Account, day: string): Promise<number> {
    return balancesOf([account], await finance.accounts.sums(sub, day, account.id), day)[0]!.cleared;
  }

  async function render(req: Request, res: Response, account: Account, src: Record<string, unknown>, status = 200, notice: string | null = null) {
    const m = req.member!;
    const money = (v: number) => formatMoney(v, account.currency);
    const asked = src.date !== undefined || src.balance !== undefined;
    const { typed, errors, statement } = asked ? parseStatement(src, account, m.today, m.numberStyle) : { typed: { date: m.today, balance: '' }, errors: {}, statement: null };
    let result = null;
    if (statement) {
      const cleared = await clearedOn(m.sub, account, statement.date);
      const uncleared = await finance.accounts.uncleared(m.sub, account.id, statement.date, UNCLEARED_SHOWN + 1);
      result = {
        cleared: money(cleared),
        statement: money(statement.balance),
        difference: statement.balance - cleared,
        differenceText: money(statement.balance - cleared),
        uncleared: uncleared.slice(0, UNCLEARED_SHOWN).map((t) => withFields(t, { amount: money(t.amountMinor) })),
        more: uncleared.length > UNCLEARED_SHOWN,
      };
    }
    const last = await finance.accounts.lastReconciliation(m.sub, account.id);
    res.status(asked && !statement ? 400 : status).render('layout', {
      page: 'accounts/reconcile',
      title: `Reconcile ${account.name}`,
      account,
      typed,
      errors,
      result,
      notice,
      returnTo: `/accounts/${account.id}/reconcile?${new URLSearchParams({ date: typed.date, balance: typed.balance })}`,
      last: last ? { date: last.statementDate, balance: money(last.statementBalance) } : null,
    });
  }

  router.get('/', async function reconcileGetIndex(req, res) { return render(req, res, await deps.owned(req), req.query as Record<string, unknown>); });

  router.post('/', async function reconcilePostIndex(req, res) {
    const account = await deps.owned(req);
    const m = req.member!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { statement } = parseStatement(body, account, m.today, m.numberStyle);
    if (!statement) return render(req, res, account, body, 400);
    // The difference is computed again here: the page it came from may be out of date.
    if ((await clearedOn(m.sub, account, statement.date)) !== statement.balance) {
      return render(req, res, account, body, 409, 'The cleared balance does not match the statement yet. Mark the missing transactions cleared, or check the statement balance.');
    }
    const marked = await finance.accounts.reconcile(m.sub, account.id, statement, m.now);
    req.flash(`Reconciled ${account.name}: ${plural(marked, 'transaction')} marked as matching the statement.`);
    res.redirect(303, '/accounts');
  });

  return router;
}
