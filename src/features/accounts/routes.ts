import express, { type Request, type RequestHandler, type Router } from 'express';
import { NotFoundError } from '../../http/errors.js';
import type { Finance } from '../finance.js';
import { currencyCodes, parseCurrency } from '../profile/preferences.js';

function parseName(body: unknown): { name: string; error?: string; typed: string } {
  const raw = (body as Record<string, unknown> | undefined)?.name;
  if (typeof raw !== 'string') return { name: '', typed: '', error: Array.isArray(raw) ? 'Send the name once.' : 'Enter a name.' };
  const name = raw.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > 80 || /[\u0000-\u001f]/.test(raw)) return { name, typed: raw, error: 'Enter a name of up to 80 characters.' };
  return { name, typed: raw };
}

const CURRENCIES = currencyCodes();
/** Accounts per person (archived ones count): every finance page lists them. */
export const MAX_ACCOUNTS = 100;

/** /accounts: create (each in its own currency, the main one by default), rename and archive. */
export function accountRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  const render = async (req: Request, status: number, res: express.Response, form: { error?: string; typed: string; currency?: string; currencyError?: string } = { typed: '' }) => {
    const accounts = await finance.accounts.list(req.member!.sub, { includeArchived: true });
    res.status(status).render('layout', {
      page: 'accounts/index',
      title: 'Accounts',
      accounts,
      error: form.error ?? null,
      typedName: form.typed,
      currencies: CURRENCIES,
      typedCurrency: form.currency ?? req.member!.currency,
      currencyError: form.currencyError ?? null,
    });
  };

  router.get('/', (req, res) => render(req, 200, res));

  router.post('/', async (req, res) => {
    const named = parseName(req.body);
    const full = !named.error && (await finance.accounts.list(req.member!.sub, { includeArchived: true })).length >= MAX_ACCOUNTS;
    const parsed = full ? { ...named, error: `You have ${MAX_ACCOUNTS} accounts, the most there can be. Archived ones count too.` } : named;
    const raw = (req.body as Record<string, unknown> | undefined)?.currency;
    // A form without the field (an older page) gets the main currency.
    const currency = raw === undefined ? ({ ok: true, currency: req.member!.currency } as const) : parseCurrency(raw);
    if (parsed.error || !currency.ok) {
      return render(req, 400, res, { ...parsed, currency: typeof raw === 'string' ? raw : '', ...(currency.ok ? {} : { currencyError: currency.error }) });
    }
    await finance.accounts.create(req.member!.sub, { name: parsed.name, currency: currency.currency }, req.member!.now);
    res.redirect(303, '/accounts');
  });

  router.get('/:id/edit', async (req, res) => {
    const account = await finance.accounts.find(req.member!.sub, String(req.params.id));
    if (!account) throw new NotFoundError('There is no such account.');
    res.render('layout', { page: 'accounts/edit', title: 'Edit account', account, error: null, typedName: account.name });
  });

  router.post('/:id', async (req, res) => {
    const account = await finance.accounts.find(req.member!.sub, String(req.params.id));
    if (!account) throw new NotFoundError('There is no such account.');
    const parsed = parseName(req.body);
    if (parsed.error) return res.status(400).render('layout', { page: 'accounts/edit', title: 'Edit account', account, error: parsed.error, typedName: parsed.typed });
    const archived = (req.body as Record<string, unknown>).archived === 'on';
    await finance.accounts.update(req.member!.sub, account.id, { name: parsed.name, archived });
    res.redirect(303, '/accounts');
  });

  return router;
}
