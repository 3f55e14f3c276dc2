import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { NotFoundError } from '../../http/errors.js';
import { atBothWidths, signedColumns } from '../coach/charts.js';
import type { Finance } from '../finance.js';
import { monthLabel, monthOf, shortMonthName } from '../../money/dates.js';
import { formatMoney, minorToInput } from '../../money/money.js';
import { parseAccountForm, typedAccountForm, type AccountErrors, type AccountTyped } from './form.js';
import { reconcileRoutes } from './reconcile.js';
import type { AccountRemoval } from './removal.js';
import { MAX_ACCOUNTS, type Account } from './repository.js';
import { ACCOUNT_TYPES, typeLabel } from './types.js';
import { rateText } from '../rates/rates.js';
import { withFields } from '../../lib/objects.js';

/** Months in the net-worth chart. */
const CHART_MONTHS = 12;

/**
 * /accounts: balances by type and net worth (with a 12-month chart), add and edit accounts
 * (type, currency, opening balance and date, archive), and reconcile (reconcile.ts).
 */
export function accountRoutes(deps: { member: RequestHandler[]; finance: Finance; removal: AccountRemoval }): Router {
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
        accounts: g.accounts.map((b) => withFields(b.account, { typeLabel: typeLabel(b.account.type), balance: money(b.balance), cleared: money(b.cleared), negative: b.balance < 0 })),
      })),
      others: overview.balances
        .filter((b) => b.account.currency !== currency)
        .map((b) => withFields(b.account, { typeLabel: typeLabel(b.account.type), balance: formatMoney(b.balance, b.account.currency), cleared: formatMoney(b.cleared, b.account.currency) })),
      chartConverted: overview.inMain !== null && overview.view.currency === m.currency,
      chartMissing: [...new Set(overview.history.flatMap((h) => h.missing))].map((id) => overview.balances.find((b) => b.account.id === id)?.account.name ?? '—'),
      chart: atBothWidths((width) => signedColumns(overview.history.map((h) => ({ label: shortMonthName(h.month), value: h.net, display: money(h.net) })), width)),
      historyRows: overview.history.map((h) => ({ month: monthLabel(h.month), assets: money(h.assets), liabilities: money(h.liabilities), net: money(h.net) })),
      types: ACCOUNT_TYPES,
      currencyValue: form.typed.currency || m.currency,
      errors: form.errors,
      typed: form.typed,
    });
  }

  router.get('/', function accountsGetIndex(req, res) { return render(req, res, 200); });

  router.post('/', async function accountsPostIndex(req, res) {
    const m = req.member!;
    if ((await finance.accounts.list(m.sub, { includeArchived: true })).length >= MAX_ACCOUNTS) {
      return render(req, res, 400, { errors: { name: `You have ${MAX_ACCOUNTS} accounts, the most there can be. Archived ones count too.` }, typed: typedAccountForm(req.body) });
    }
    const parsed = parseAccountForm(req.body, { mainCurrency: m.currency, style: m.numberStyle });
    if (!parsed.ok) return render(req, res, 400, parsed);
    if (await nameTaken(m.sub, parsed.value.name)) return render(req, res, 400, { errors: { name: 'You already have an account with that name.' }, typed: typedAccountForm(req.body) });
    await finance.accounts.create(m.sub, parsed.value, m.now);
    req.flash(`Added the account ${parsed.value.name}.`);
    res.redirect(303, '/accounts');
  });

  async function owned(req: Request): Promise<Account> {
    const account = await finance.accounts.find(req.member!.sub, String(req.params.id));
    if (!account) throw new NotFoundError('There is no such account.');
    return account;
  }

  const renderEdit = (res: Response, status: number, account: Account, form: { errors: AccountErrors; typed: AccountTyped }) =>
    res.status(status).render('layout', { page: 'accounts/edit', title: 'Edit account', account, types: ACCOUNT_TYPES, ...form });

  router.get('/:id/edit', async function accountsGetOneEdit(req, res) {
    const a = await owned(req);
    renderEdit(res, 200, a, {
      errors: {},
      typed: { name: a.name, currency: a.currency, type: a.type, openingBalance: a.openingBalance === 0 ? '' : minorToInput(a.openingBalance, a.currency, req.member!.numberStyle), openingDate: a.openingDate ?? '', creditLimit: a.creditLimit === null ? '' : minorToInput(a.creditLimit, a.currency, req.member!.numberStyle) },
    });
  });

  router.post('/:id', async function accountsPostOne(req, res) {
    const account = await owned(req);
    const parsed = parseAccountForm(req.body, { mainCurrency: req.member!.currency, fixedCurrency: account.currency, style: req.member!.numberStyle });
    if (!parsed.ok) return renderEdit(res, 400, account, parsed);
    if (await nameTaken(req.member!.sub, parsed.value.name, account.id)) return renderEdit(res, 400, account, { errors: { name: 'You already have an account with that name.' }, typed: typedAccountForm(req.body) });
    const archived = (req.body as Record<string, unknown>).archived === 'on';
    const { name, type, openingBalance, openingDate, creditLimit } = parsed.value;
    await finance.accounts.update(req.member!.sub, account.id, { name, archived, type, openingBalance, openingDate, creditLimit });
    req.flash(`Saved ${name}${archived && !account.archived ? '; it is hidden from the pickers now' : ''}.`);
    res.redirect(303, '/accounts');
  });

  /** Names are told apart ignoring case and spacing, like category names. */
  async function nameTaken(sub: string, name: string, except?: string): Promise<boolean> {
    const key = name.toLowerCase();
    return (await finance.accounts.list(sub, { includeArchived: true })).some((a) => a.id !== except && a.name.trim().replace(/\s+/g, ' ').toLowerCase() === key);
  }

  async function renderDelete(req: Request, res: Response, status: number, account: Account, error: string | null) {
    const [count, all] = await Promise.all([deps.removal.transactionCount(req.member!.sub, account.id), finance.accounts.list(req.member!.sub, { includeArchived: true })]);
    const targets = all.filter((a) => a.id !== account.id && a.currency === account.currency);
    res.status(status).render('layout', { page: 'accounts/delete', title: `Delete ${account.name}`, account, count, targets, error, opening: formatMoney(account.openingBalance, account.currency) });
  }

  router.get('/:id/delete', async function accountsGetOneDelete(req, res) { return renderDelete(req, res, 200, await owned(req), null); });

  // Deleting asks where the account's transactions go: another account in its currency, or away with it.
  router.post('/:id/delete', async function accountsPostOneDelete(req, res) {
    const account = await owned(req);
    const into = (req.body as Record<string, unknown>).into;
    const targets = (await finance.accounts.list(req.member!.sub, { includeArchived: true })).filter((a) => a.id !== account.id && a.currency === account.currency);
    const target = targets.find((a) => a.id === into);
    if (into !== 'delete' && !target) return renderDelete(req, res, 400, account, 'Choose where its transactions go.');
    const n = await deps.removal.remove(req.member!.sub, account.id, target ? { moveTo: target.id } : { deleteTransactions: true });
    req.flash(`Deleted the account ${account.name}; ${target ? `its ${n} transaction${n === 1 ? ' is' : 's are'} in ${target.name} now` : `${n} transaction${n === 1 ? '' : 's'} deleted with it`}.`);
    res.redirect(303, '/accounts');
  });

  router.use('/:id/reconcile', reconcileRoutes({ finance, owned }));
  return router;
}
