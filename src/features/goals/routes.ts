import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError, NotFoundError } from '../../http/errors.js';
import { paceGoals } from '../coach/formulas.js';
import type { Finance } from '../finance.js';
import { addMonths, monthLabel, monthOf } from '../../money/dates.js';
import { formatMoney } from '../../money/money.js';
import { readFormFields } from '../../http/form-fields.js';
import { GOAL_FIELDS, goalTyped, parseContribution, parseGoalForm, type GoalErrors, type GoalTyped } from './form.js';
import { MAX_CONTRIBUTIONS, MAX_GOALS, type Goal } from './repository.js';
import { withFields } from '../../lib/objects.js';

const BLANK: GoalTyped = { name: '', target: '', saved: '', targetDate: '' };

/**
 * /goals: savings goals with their pacing. Recent saving is shared out over the goals (earliest
 * date first), so no saving counts for two goals. A goal can be edited, deleted, and given
 * contributions (money put towards it), which add to what it has saved.
 */
export function goalRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function render(req: Request, res: Response, status: number, form: { errors: GoalErrors; typed: GoalTyped } = { errors: {}, typed: BLANK }, contributionError?: { id: string; text: string }) {
    const { sub, currency } = req.member!;
    const month = monthOf(req.member!.today);
    const goals = await finance.goals.list(sub);
    // Each goal is in its own currency, and is paced by saving in that currency.
    const recentBy = await finance.coach.recentMonthlySaving(sub, month, [currency, ...goals.map((g) => g.currency)]);
    res.status(status).render('layout', {
      page: 'goals/index',
      title: 'Goals',
      from: monthLabel(addMonths(month, -3)),
      to: monthLabel(addMonths(month, -1)),
      recent: recentBy.get(currency) ?? 0,
      goals: paceGoals(goals, month, recentBy).map((g) => withFields(g, { money: (m: number) => formatMoney(m, g.currency) })),
      money: (m: number) => formatMoney(m, currency),
      contributionError: contributionError ?? null,
      today: req.member!.today,
      ...form,
    });
  }

  async function owned(req: Request): Promise<Goal> {
    const g = await finance.goals.find(req.member!.sub, String(req.params.id));
    if (!g) throw new NotFoundError('There is no such goal.');
    return g;
  }

  async function renderEdit(req: Request, res: Response, status: number, g: Goal, form: { errors: GoalErrors; typed: GoalTyped }) {
    const history = await finance.goals.contributions(req.member!.sub, g.id);
    res.status(status).render('layout', { page: 'goals/edit', title: `Edit ${g.name}`, goal: g, history, money: (m: number) => formatMoney(m, g.currency), ...form });
  }

  router.get('/', function goalsGetIndex(req, res) { return render(req, res, 200); });

  router.post('/', async function goalsPostIndex(req, res) {
    const { sub, currency } = req.member!;
    const parsed = parseGoalForm(req.body, currency, req.member!.today, req.member!.numberStyle);
    if (!parsed.ok) return render(req, res, 400, parsed);
    if ((await finance.goals.list(sub)).length >= MAX_GOALS) return render(req, res, 400, { typed: readFormFields(req.body, GOAL_FIELDS).typed, errors: { name: `You have ${MAX_GOALS} goals, the most there can be.` } });
    await finance.goals.create(sub, { ...parsed.value, currency }, req.member!.now);
    req.flash(`Added the goal ${parsed.value.name}.`);
    res.redirect(303, '/goals');
  });

  router.get('/:id/edit', async function goalsGetOneEdit(req, res) {
    const g = await owned(req);
    await renderEdit(req, res, 200, g, { errors: {}, typed: goalTyped(g, req.member!.numberStyle) });
  });

  router.post('/:id', async function goalsPostOne(req, res) {
    const g = await owned(req);
    const parsed = parseGoalForm(req.body, g.currency, req.member!.today, req.member!.numberStyle);
    if (!parsed.ok) return renderEdit(req, res, 400, g, parsed);
    await finance.goals.update(req.member!.sub, g.id, parsed.value);
    req.flash(`Saved the goal ${parsed.value.name}.`);
    res.redirect(303, '/goals');
  });

  router.post('/:id/delete', async function goalsPostOneDelete(req, res) {
    const g = await owned(req);
    if ((req.body as Record<string, unknown>).confirm !== 'yes') throw new HttpError(400, 'Tick the box to confirm deleting the goal.');
    await finance.goals.remove(req.member!.sub, g.id);
    req.flash(`Deleted the goal ${g.name}. Your transactions are unchanged.`);
    res.redirect(303, '/goals');
  });

  router.post('/:id/contributions', async function goalsPostOneContributions(req, res) {
    const g = await owned(req);
    const parsed = parseContribution(req.body, g.currency, req.member!.today, req.member!.numberStyle);
    if (!parsed.ok) return render(req, res, 400, undefined, { id: g.id, text: parsed.error });
    if ((await finance.goals.contributionCount(req.member!.sub, g.id)) >= MAX_CONTRIBUTIONS) return render(req, res, 400, undefined, { id: g.id, text: `This goal has ${MAX_CONTRIBUTIONS} contributions, the most there can be.` });
    if (g.saved + parsed.value.amount < 0) return render(req, res, 400, undefined, { id: g.id, text: `That takes out more than the ${formatMoney(g.saved, g.currency)} saved.` });
    await finance.goals.contribute(req.member!.sub, g.id, parsed.value, req.member!.now);
    req.flash(`${parsed.value.amount > 0 ? 'Added' : 'Took out'} ${formatMoney(Math.abs(parsed.value.amount), g.currency)} ${parsed.value.amount > 0 ? 'to' : 'from'} ${g.name}.`);
    res.redirect(303, '/goals');
  });

  return router;
}
