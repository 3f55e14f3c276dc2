import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { CategoryGroup } from '../../db/schema.js';
import { HttpError, NotFoundError } from '../../http/errors.js';
import type { CategoryRemoval } from './removal.js';
import { MAX_CATEGORIES } from './repository.js';
import { containsRule, MAX_RULES } from '../rules/repository.js';
import type { Finance } from '../finance.js';
import { withFields } from '../../lib/objects.js';

const GROUPS: CategoryGroup[] = ['need', 'want', 'saving', 'income'];

function parseCategory(body: unknown): { ok: true; name: string; group: CategoryGroup } | { ok: false; error: string } {
  const form = (body ?? {}) as Record<string, unknown>;
  const name = typeof form.name === 'string' ? form.name.trim().replace(/\s+/g, ' ') : '';
  if (name === '' || name.length > 60) return { ok: false, error: 'Enter a name of up to 60 characters.' };
  if (!GROUPS.includes(form.group as CategoryGroup)) return { ok: false, error: 'Choose a group: need, want, saving or income.' };
  return { ok: true, name, group: form.group as CategoryGroup };
}

/**
 * /categories: each category sits in a group (need, want, saving, income), which drives the
 * 50/30/20 check. /categories/rules: "always put descriptions containing X in Y", offered after a
 * transaction is re-categorised by hand and applied on import.
 */
export function categoryRoutes(deps: { member: RequestHandler[]; finance: Finance; removal: CategoryRemoval }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function render(req: Request, res: Response, status: number, error: string | null = null) {
    const sub = req.member!.sub;
    const [categories, rules] = await Promise.all([finance.categories.list(sub), finance.rules.list(sub)]);
    const names = new Map(categories.map((c) => [c.id, c.name]));
    res.status(status).render('layout', {
      page: 'categories/index',
      title: 'Categories',
      categories,
      groups: GROUPS,
      rules: rules.map((r) => withFields(r, { category: names.get(r.categoryId) ?? '—' })),
      error,
    });
  }

  router.get('/', function categoriesGetIndex(req, res) { return render(req, res, 200); });

  async function owned(req: Request) {
    const list = await finance.categories.list(req.member!.sub);
    const c = list.find((x) => x.id === req.params.id);
    if (!c) throw new NotFoundError('There is no such category.');
    return { category: c, others: list.filter((x) => x.id !== c.id) };
  }

  router.get('/:id/delete', async function categoriesGetOneDelete(req, res) {
    const { category, others } = await owned(req);
    const use = await deps.removal.use(req.member!.sub, category.id);
    res.render('layout', { page: 'categories/delete', title: `Delete ${category.name}`, category, others, use, error: null });
  });

  // Deleting asks where the category's transactions go: another category, or none.
  router.post('/:id/delete', async function categoriesPostOneDelete(req, res) {
    const { category, others } = await owned(req);
    const into = (req.body as Record<string, unknown>).into;
    const target = into === 'none' ? null : others.find((c) => c.id === into);
    if (target === undefined) {
      const use = await deps.removal.use(req.member!.sub, category.id);
      return res.status(400).render('layout', { page: 'categories/delete', title: `Delete ${category.name}`, category, others, use, error: 'Choose where its transactions go.' });
    }
    if (others.length === 0) throw new HttpError(400, 'Keep at least one category.');
    await deps.removal.remove(req.member!.sub, category.id, target?.id ?? null);
    req.flash(`Deleted ${category.name}; its transactions are ${target ? `in ${target.name}` : 'uncategorized'} now.`);
    res.redirect(303, '/categories');
  });

  router.post('/:id/hidden', async function categoriesPostOneHidden(req, res) {
    const { category } = await owned(req);
    const hidden = (req.body as Record<string, unknown>).hidden === 'yes';
    await finance.categories.setHidden(req.member!.sub, category.id, hidden);
    req.flash(hidden ? `${category.name} is hidden from the pickers; its history stays.` : `${category.name} is shown again.`);
    res.redirect(303, '/categories');
  });

  router.post('/', async function categoriesPostIndex(req, res) {
    const parsed = parseCategory(req.body);
    if (!parsed.ok) return render(req, res, 400, parsed.error);
    const taken = (await finance.categories.list(req.member!.sub)).some((c) => c.name.toLowerCase() === parsed.name.toLowerCase());
    if (taken) return render(req, res, 400, 'You already have a category with that name.');
    if ((await finance.categories.list(req.member!.sub)).length >= MAX_CATEGORIES) return render(req, res, 400, `You have ${MAX_CATEGORIES} categories, the most there can be. Rename one instead.`);
    await finance.categories.create(req.member!.sub, parsed.name, parsed.group, req.member!.now);
    req.flash(`Added the category ${parsed.name}.`);
    res.redirect(303, '/categories');
  });

  router.post('/rules', async function categoriesPostRules(req, res) {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const text = typeof form.matchText === 'string' ? form.matchText.trim() : '';
    const categories = await finance.categories.list(req.member!.sub);
    if (text.length < 2 || text.length > 100) return render(req, res, 400, 'A rule needs 2 to 100 characters of text to match.');
    if (!categories.some((c) => c.id === form.categoryId)) return render(req, res, 400, 'Choose one of your categories for the rule.');
    if ((await finance.rules.list(req.member!.sub)).length >= MAX_RULES) return render(req, res, 400, `You have ${MAX_RULES} rules, the most there can be.`);
    await finance.rules.create(req.member!.sub, containsRule(text, String(form.categoryId)), req.member!.now);
    req.flash(`Created a rule for descriptions containing "${text}".`);
    res.redirect(303, '/categories');
  });

  router.post('/:id', async function categoriesPostOne(req, res) {
    const parsed = parseCategory(req.body);
    if (!parsed.ok) return render(req, res, 400, parsed.error);
    const others = (await finance.categories.list(req.member!.sub)).filter((c) => c.id !== req.params.id);
    if (others.some((c) => c.name.toLowerCase() === parsed.name.toLowerCase())) return render(req, res, 400, 'You already have a category with that name.');
    if (!(await finance.categories.update(req.member!.sub, String(req.params.id), parsed.name, parsed.group))) throw new NotFoundError('There is no such category.');
    req.flash(`Saved ${parsed.name}.`);
    res.redirect(303, '/categories');
  });

  return router;
}
