import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { plural } from '../../lib/text.js';
import { HttpError, NotFoundError } from '../../http/errors.js';
import type { Finance } from '../finance.js';
import { formatMoney } from '../../money/money.js';
import type { RulesApply } from './apply.js';
import { blankRuleForm, formOfRule, parseRuleForm, type RuleErrors, type RuleTyped } from './form.js';
import { RULE_FIELDS, RULE_OPS, type Rule } from './matching.js';

/**
 * /rules: the ordered rules (first match wins) with add, edit, delete and move up or down, and
 * "apply rules to existing transactions", which previews every change before writing any.
 */
export function ruleRoutes(deps: { member: RequestHandler[]; finance: Finance; apply: RulesApply }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function context(req: Request) {
    const sub = req.member!.sub;
    const { accounts, categories } = await finance.choices(sub);
    return { sub, accounts, categories, mainCurrency: req.member!.currency, style: req.member!.numberStyle };
  }

  function describe(r: Rule, ctx: Awaited<ReturnType<typeof context>>) {
    const account = ctx.accounts.find((a) => a.id === r.accountId);
    const money = (v: number) => formatMoney(v, account?.currency ?? ctx.mainCurrency);
    const range = r.minAmount !== null && r.maxAmount !== null ? `amount ${money(r.minAmount)} to ${money(r.maxAmount)}` : r.minAmount !== null ? `amount at least ${money(r.minAmount)}` : r.maxAmount !== null ? `amount at most ${money(r.maxAmount)}` : null;
    return {
      ...r,
      when: `${RULE_FIELDS.find((f) => f.id === r.field)!.label} ${RULE_OPS.find((o) => o.id === r.op)!.label} “${r.matchText}”`,
      extra: [range, account ? `in ${account.name}` : null].filter(Boolean).join(', '),
      category: ctx.categories.find((c) => c.id === r.categoryId)?.name ?? '—',
    };
  }

  async function renderList(req: Request, res: Response, status: number, form?: { errors: RuleErrors; typed: RuleTyped }) {
    const ctx = await context(req);
    const rules = await finance.rules.list(ctx.sub);
    res.status(status).render('layout', {
      page: 'rules/index',
      title: 'Rules',
      rules: rules.map((r) => describe(r, ctx)),
      ...options(ctx),
      errors: form?.errors ?? {},
      typed: form?.typed ?? blankRuleForm(),
    });
  }
  const options = (ctx: Awaited<ReturnType<typeof context>>) => ({ accounts: ctx.accounts.filter((a) => !a.archived), categories: ctx.categories, fields: RULE_FIELDS, ops: RULE_OPS });

  router.get('/', function rulesGetIndex(req, res) { return renderList(req, res, 200); });

  router.post('/', async function rulesPostIndex(req, res) {
    const ctx = await context(req);
    const parsed = parseRuleForm(req.body, ctx);
    if (!parsed.ok) return renderList(req, res, 400, parsed);
    await finance.rules.create(ctx.sub, parsed.value, req.member!.now);
    req.flash('Added the rule. It applies to imports from now on; apply it to existing transactions below.');
    res.redirect(303, '/rules');
  });

  router.get('/apply', async function rulesGetApply(req, res) {
    const ctx = await context(req);
    const preview = await deps.apply.preview(ctx.sub);
    const name = (id: string | null) => (id === null ? 'Uncategorized' : (ctx.categories.find((c) => c.id === id)?.name ?? 'Uncategorized'));
    res.render('layout', {
      page: 'rules/apply',
      title: 'Apply rules',
      total: preview.total,
      fingerprint: preview.fingerprint,
      changes: preview.changes.map((c) => ({
        date: c.date,
        payee: c.before.description,
        newPayee: c.description === c.before.description ? null : c.description,
        from: name(c.before.categoryId),
        to: c.categoryId === c.before.categoryId ? null : name(c.categoryId),
        amount: formatMoney(c.before.amountMinor, ctx.accounts.find((a) => a.id === c.before.accountId)?.currency ?? ctx.mainCurrency),
      })),
    });
  });

  router.post('/apply', async function rulesPostApply(req, res) {
    const fingerprint = (req.body as Record<string, unknown> | undefined)?.fingerprint;
    if (typeof fingerprint !== 'string' || fingerprint.length > 100) throw new HttpError(400, 'Open the preview first: rules are applied only after you have seen what they change.');
    const applied = await deps.apply.apply(req.member!.sub, fingerprint);
    if (applied === null) throw new HttpError(409, 'Your rules or transactions changed since the preview, so nothing was applied. Open the preview again to see the changes as they are now.');
    req.flash(`Rules applied: ${plural(applied, 'transaction')} changed.`);
    res.redirect(303, '/rules');
  });

  async function owned(req: Request): Promise<Rule> {
    const r = await finance.rules.find(req.member!.sub, String(req.params.id));
    if (!r) throw new NotFoundError('There is no such rule.');
    return r;
  }

  router.get('/:id/edit', async function rulesGetOneEdit(req, res) {
    const r = await owned(req);
    const ctx = await context(req);
    res.render('layout', { page: 'rules/edit', title: 'Edit rule', id: r.id, ...options(ctx), errors: {}, typed: formOfRule(r, ctx.accounts, ctx.mainCurrency, ctx.style) });
  });

  router.post('/:id', async function rulesPostOne(req, res) {
    const r = await owned(req);
    const ctx = await context(req);
    const parsed = parseRuleForm(req.body, ctx);
    if (!parsed.ok) return res.status(400).render('layout', { page: 'rules/edit', title: 'Edit rule', id: r.id, ...options(ctx), ...parsed });
    await finance.rules.update(ctx.sub, r.id, parsed.value);
    req.flash('Saved the rule.');
    res.redirect(303, '/rules');
  });

  router.post('/:id/delete', async function rulesPostOneDelete(req, res) {
    const r = await owned(req);
    await finance.rules.remove(req.member!.sub, r.id);
    req.flash('Deleted the rule; transactions it changed stay as they are.');
    res.redirect(303, '/rules');
  });

  router.post('/:id/move', async function rulesPostOneMove(req, res) {
    const r = await owned(req);
    const direction = (req.body as Record<string, unknown> | undefined)?.direction;
    if (direction !== 'up' && direction !== 'down') throw new HttpError(400, 'Choose up or down.');
    await finance.rules.move(req.member!.sub, r.id, direction);
    req.flash(`Moved the rule ${direction}.`);
    res.redirect(303, '/rules');
  });

  return router;
}
