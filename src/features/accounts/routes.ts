import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { NotFoundError } from '../../http/errors.js';
import { signedColumns } from '../coach/charts.js';
import type { Finance } from '../finance.js';
import { monthLabel, monthOf, shortMonthName } from '../money/dates.js';
import { formatMoney, minorToInput } from '../money/money.js';
import { currencyOptionsHtml } from '../profile/preferences.js';
import { parseAccountForm, typedAccountForm, type AccountErrors, type AccountTyped } from './form.js';
import { reconcileRoutes } from './reconcile.js';
import { MAX_ACCOUNTS, type Account } from './repository.js';
import { ACCOUNT_TYPES, typeLabel } from './types.js';
import { rateText } from '../rates/rates.js';

/** Months in the net-worth chart. */
const CHART_MONTHS = 12;

/**
 * /accounts: balances by type and net worth (with a 12-month chart), add and edit accounts
 * (type, currency, opening balance and date, archive), and reconcile (reconcile.ts).
 */
export function accountRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  const blank = (req: Request): AccountTyped => ({ name: '', currency: req.member!.currency, type: 'checking', openingBalance: '', openingDate: '', creditLimit: '' });

  async function render(req: Request, res: Response, status: number, form: { errors: AccountErrors; typed: AccountTyped } = { errors: {}, typed: blank(req) }) {
    const m = req.member!;
    const overview = await finance.balances.page(m.sub, m, req.query.currency, CHART_MONTHS);
    const currency = overview.view.currency;
    const money = (v: number) => formatMoney(v, currency);
    res.status(status).render('layout', {
      page: 'accounts/index',
      title: 'Accounts',
      view: overview.view,
      base: '/accounts',
      month: monthOf(m.today),
      netWorth: { assets: money(overview.netWorth.assets), liabilities: money(overview.netWorth.liabilities), net: money(overview.netWorth.net), negative: overview.netWorth.net < 0 },
      inMain: overview.inMain && {
        currency: overview.inMain.currency,
        net: formatMoney(overview.inMain.worth.net, overview.inMain.currency),
        assets: formatMoney(overview.inMain.worth.assets, overview.inMain.currency),
        liabilities: formatMoney(overview.inMain.worth.liabilities, overview.inMain.currency),
        converted: overview.inMain.converted.map((c) => ({ name: c.account.name, balance: formatMoney(c.balance, c.account.currency), inMain: formatMoney(c.inMain, overview.inMain!.currency), rate: rateText(c.rateE8) })),
        missing: overview.inMain.missing.map((a) => ({ name: a.name, currency: a.currency })),
      },
      groups: overview.groups.map((g) => ({
        label: g.label,
        side: g.side,
        total: money(g.total),
        accounts: g.accounts.map((b) => ({ ...b.account, typeLabel: typeLabel(b.account.type), balance: money(b.balance), cleared: money(b.cleared), negative: b.balance < 0 })),
      })),
      others: overview.balances
        .filter((b) => b.account.currency !== currency)
        .map((b) => ({ ...b.account, typeLabel: typeLabel(b.account.type), balance: formatMoney(b.balance, b.account.currency), cleared: formatMoney(b.cleared, b.account.currency) })),
      chartConverted: overview.inMain !== null && overview.view.currency === m.currency,
      chartMissing: [...new Set(overview.history.flatMap((h) => h.missing))].map((id) => overview.balances.find((b) => b.account.id === id)?.account.name ?? '—'),
      chart: signedColumns(overview.history.map((h) => ({ label: shortMonthName(h.month), value: h.net, display: money(h.net) }))),
      historyRows: overview.history.map((h) => ({ month: monthLabel(h.month), assets: money(h.assets), liabilities: money(h.liabilities), net: money(h.net) })),
      types: ACCOUNT_TYPES,
      currencyOptions: currencyOptionsHtml(form.typed.currency || m.currency),
      errors: form.errors,
      typed: form.typed,
      reconciled: typeof req.query.reconciled === 'string' && /^\d{1,6}$/.test(req.query.reconciled) ? Number(req.query.reconciled) : null,
    });
  }

  router.get('/', (req, res) => render(req, res, 200));

  router.post('/', async (req, res) => {
    const m = req.member!;
    if ((await finance.accounts.list(m.sub, { includeArchived: true })).length >= MAX_ACCOUNTS) {
      return render(req, res, 400, { errors: { name: `You have ${MAX_ACCOUNTS} accounts, the most there can be. Archived ones count too.` }, typed: typedAccountForm(req.body) });
    }
    const parsed = parseAccountForm(req.body, { mainCurrency: m.currency });
    if (!parsed.ok) return render(req, res, 400, parsed);
    await finance.accounts.create(m.sub, parsed.value, m.now);
    res.redirect(303, '/accounts');
  });

  async function owned(req: Request): Promise<Account> {
    const account = await finance.accounts.find(req.member!.sub, String(req.params.id));
    if (!account) throw new NotFoundError('There is no such account.');
    return account;
  }

  const renderEdit = (res: Response, status: number, account: Account, form: { errors: AccountErrors; typed: AccountTyped }) =>
    res.status(status).render('layout', { page: 'accounts/edit', title: 'Edit account', account, types: ACCOUNT_TYPES, ...form });

  router.get('/:id/edit', async (req, res) => {
    const a = await owned(req);
    renderEdit(res, 200, a, {
      errors: {},
      typed: { name: a.name, currency: a.currency, type: a.type, openingBalance: a.openingBalance === 0 ? '' : minorToInput(a.openingBalance, a.currency), openingDate: a.openingDate ?? '', creditLimit: a.creditLimit === null ? '' : minorToInput(a.creditLimit, a.currency) },
    });
  });

  router.post('/:id', async (req, res) => {
    const account = await owned(req);
    const parsed = parseAccountForm(req.body, { mainCurrency: req.member!.currency, fixedCurrency: account.currency });
    if (!parsed.ok) return renderEdit(res, 400, account, parsed);
    const archived = (req.body as Record<string, unknown>).archived === 'on';
    const { name, type, openingBalance, openingDate, creditLimit } = parsed.value;
    await finance.accounts.update(req.member!.sub, account.id, { name, archived, type, openingBalance, openingDate, creditLimit });
    res.redirect(303, '/accounts');
  });

  router.use('/:id/reconcile', reconcileRoutes({ finance, owned }));
  return router;
}
