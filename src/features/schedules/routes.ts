import express, { type Request, type Response, type RequestHandler, type Router } from 'express';
import { defaultAccountId } from '../accounts/types.js';
import type { Finance } from '../finance.js';
import { formatMoney, DEFAULT_CURRENCY } from '../../money/money.js';
import { blankScheduleForm, formOfSchedule, keepAnchor, parseScheduleForm, type ScheduleErrors, type ScheduleTyped } from './form.js';
import { describeRecurrence, FREQUENCIES } from './recurrence.js';
import type { Schedule } from './repository.js';
import type { SchedulesService } from './service.js';
import { forecastView } from './view.js';

/**
 * /schedules: recurring transactions (list, add, edit, delete, enter a due one in one click,
 * suggestions from history) and /schedules/forecast: each account's next 30 and 90 days.
 */
export function scheduleRoutes(deps: { member: RequestHandler[]; finance: Finance; schedules: SchedulesService }): Router {
  const { finance, schedules } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function context(req: Request) {
    const sub = req.member!.sub;
    const { accounts, categories } = await finance.choices(sub);
    const active = accounts.filter((a) => !a.archived);
    return { sub, accounts, active, categories, style: req.member!.numberStyle };
  }

  function describe(s: Schedule, ctx: Awaited<ReturnType<typeof context>>) {
    const account = ctx.accounts.find((a) => a.id === s.accountId);
    const other = s.transferAccountId ? ctx.accounts.find((a) => a.id === s.transferAccountId)?.name : null;
    return {
      ...s,
      account: account?.name ?? '—',
      amount: formatMoney(s.amountMinor, account?.currency ?? DEFAULT_CURRENCY),
      category: other ? `Transfer ${s.amountMinor < 0 ? 'to' : 'from'} ${other}` : (ctx.categories.find((c) => c.id === s.categoryId)?.name ?? 'Uncategorized'),
      rule: describeRecurrence(s),
    };
  }

  async function renderList(req: Request, res: Response, status: number, form?: { errors: ScheduleErrors; typed: ScheduleTyped }) {
    const ctx = await context(req);
    const today = req.member!.today;
    const list = await schedules.list(ctx.sub);
    res.status(status).render('layout', {
      page: 'schedules/index',
      title: 'Schedules',
      today,
      rows: list.map((s) => describe(s, ctx)),
      accounts: ctx.active,
      categories: ctx.categories,
      frequencies: FREQUENCIES,
      errors: form?.errors ?? {},
      typed: form?.typed ?? blankScheduleForm(defaultAccountId(ctx.accounts, req.member!.currency), today),
    });
  }

  router.get('/', function schedulesGetIndex(req, res) { return renderList(req, res, 200); });

  router.post('/', async function schedulesPostIndex(req, res) {
    const ctx = await context(req);
    const parsed = parseScheduleForm(req.body, ctx);
    if (!parsed.ok) return renderList(req, res, 400, parsed);
    await finance.schedules.create(ctx.sub, parsed.value, req.member!.now);
    req.flash(`Added the schedule ${parsed.value.description}, next on ${parsed.value.nextDate}.`);
    res.redirect(303, '/schedules');
  });

  // Reading 100 days of rows is the heaviest thing here: done when asked for, not on every visit.
  router.get('/suggestions', async function schedulesGetSuggestions(req, res) {
    const ctx = await context(req);
    const suggestions = await schedules.suggestions(ctx.sub, req.member!.today);
    res.render('layout', { page: 'schedules/suggestions', title: 'Suggested schedules', suggestions: suggestions.map((s) => ({ ...describe({ ...s, id: '' }, ctx), form: formOfSchedule(s, ctx.accounts, req.member!.numberStyle) })) });
  });

  router.get('/forecast', async function schedulesGetForecast(req, res) {
    const m = req.member!;
    res.render('layout', { page: 'schedules/forecast', title: 'Forecast', today: m.today, accounts: forecastView(await schedules.forecast(m.sub, m.today)) });
  });

  async function renderEdit(res: Response, status: number, s: Schedule, ctx: Awaited<ReturnType<typeof context>>, form: { errors: ScheduleErrors; typed: ScheduleTyped }) {
    res.status(status).render('layout', { page: 'schedules/edit', title: 'Edit schedule', id: s.id, accounts: ctx.accounts.filter((a) => !a.archived || a.id === s.accountId), categories: ctx.categories, frequencies: FREQUENCIES, ...form });
  }

  router.get('/:id/edit', async function schedulesGetOneEdit(req, res) {
    const s = await schedules.owned(req.member!.sub, String(req.params.id));
    const ctx = await context(req);
    await renderEdit(res, 200, s, ctx, { errors: {}, typed: formOfSchedule(s, ctx.accounts, req.member!.numberStyle) });
  });

  router.post('/:id', async function schedulesPostOne(req, res) {
    const s = await schedules.owned(req.member!.sub, String(req.params.id));
    const ctx = await context(req);
    const parsed = parseScheduleForm(req.body, ctx);
    if (!parsed.ok) return renderEdit(res, 400, s, ctx, parsed);
    await finance.schedules.update(ctx.sub, s.id, keepAnchor(s, parsed.value));
    req.flash(`Saved the schedule ${parsed.value.description}.`);
    res.redirect(303, '/schedules');
  });

  router.post('/:id/delete', async function schedulesPostOneDelete(req, res) {
    const s = await schedules.owned(req.member!.sub, String(req.params.id));
    await finance.schedules.remove(req.member!.sub, s.id);
    req.flash(`Deleted the schedule ${s.description}; the transactions entered from it stay.`);
    res.redirect(303, '/schedules');
  });

  // One click: the due date becomes a transaction and the schedule moves on.
  router.post('/:id/enter', async function schedulesPostOneEnter(req, res) {
    const m = req.member!;
    const s = await schedules.enterDue(m.sub, String(req.params.id), m.today, m.now);
    const back = (req.body as Record<string, unknown> | undefined)?.returnTo === 'dashboard' ? '/dashboard' : '/schedules';
    req.flash(`Entered ${s.description} on ${s.nextDate}.`);
    res.redirect(303, back);
  });

  return router;
}
