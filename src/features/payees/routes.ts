import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { plural } from '../../lib/text.js';
import type { PayeesRepository } from './repository.js';

/** Payees shown at once; a search finds the others. */
const SHOWN = 200;
/** Payees one merge may take. */
const MAX_MERGE = 50;

/** A payee name: trimmed, one line, 1-200 characters (the transaction form's rule). */
function parsePayee(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const name = raw.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  return name === '' || name.length > 200 || /[\u0000-\u001f]/.test(raw) ? null : name;
}

/**
 * /payees: every payee with how often it was used; rename one (all its transactions follow) or
 * merge several into one name.
 */
export function payeeRoutes(deps: { member: RequestHandler[]; payees: PayeesRepository }): Router {
  const router = express.Router();
  router.use(...deps.member);

  async function render(req: Request, res: Response, status: number, error: string | null = null) {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    const payees = await deps.payees.list(req.member!.sub, q, SHOWN);
    res.status(status).render('layout', { page: 'payees/index', title: 'Payees', q, payees, shown: SHOWN, error });
  }

  router.get('/', function payeesGetIndex(req, res) { return render(req, res, 200); });

  // Rename is a merge of one: both give every transaction of the chosen payees the new name.
  router.post('/rename', async function payeesPostRename(req, res) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const raw = Array.isArray(body.from) ? body.from : body.from === undefined ? [] : [body.from];
    // The names as stored (not tidied): they pick the transactions.
    const from = raw.map((f) => (typeof f === 'string' && f.length > 0 && f.length <= 200 ? f : null));
    const to = parsePayee(body.to);
    if (from.length === 0 || from.some((f) => f === null)) return render(req, res, 400, 'Choose the payees to rename or merge.');
    if (from.length > MAX_MERGE) return render(req, res, 400, `Merge at most ${MAX_MERGE} payees at once.`);
    if (to === null) return render(req, res, 400, 'Enter the new payee name: 1 to 200 characters, on one line.');
    const changed = await deps.payees.rename(req.member!.sub, from as string[], to);
    req.flash(`${plural(changed, 'transaction')} now carry the name ${to}.`);
    res.redirect(303, '/payees');
  });

  return router;
}
