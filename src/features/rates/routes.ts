import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { plural } from '../../lib/text.js';
import { HttpError, NotFoundError } from '../../http/errors.js';
import { readFormFields } from '../../http/form-fields.js';
import { decodeUpload } from '../import/decode.js';
import { parseRateFields, parseRatesCsv } from './input.js';
import { rateText } from './rates.js';
import { MAX_RATES, type RatesRepository } from './repository.js';

const FIELDS = ['date', 'currency', 'rate'] as const;

/**
 * /rates: exchange rates into the main currency, entered one at a time or imported from a CSV of
 * `date,currency,rate`; a rate holds from its date until the next one.
 */
export function rateRoutes(deps: { member: RequestHandler[]; rates: RatesRepository }): Router {
  const router = express.Router();
  router.use(...deps.member);

  async function render(req: Request, res: Response, status: number, over: Record<string, unknown> = {}) {
    const m = req.member!;
    const series = await deps.rates.series(m.sub, m.currency);
    res.status(status).render('layout', {
      page: 'rates/index',
      title: 'Exchange rates',
      base: m.currency,
      currencies: [...series.entries()].map(([currency, list]) => ({
        currency,
        count: list.length,
        latest: { date: list.at(-1)!.date, rate: rateText(list.at(-1)!.rateE8) },
        recent: list.slice(-12).reverse().map((r) => ({ date: r.date, rate: rateText(r.rateE8) })),
      })),
      errors: {},
      typed: { date: m.today, currency: '', rate: '' },
      importErrors: [],
      ...over,
    });
  }

  async function roomFor(sub: string, n: number) {
    if ((await deps.rates.count(sub)) + n > MAX_RATES) throw new HttpError(400, `That would make more than ${MAX_RATES.toLocaleString('en-US')} rates, the most the app keeps for one person.`);
  }

  router.get('/', function ratesGetIndex(req, res) { return render(req, res, 200); });

  router.post('/', async function ratesPostIndex(req, res) {
    const { typed, errors: sentTwice } = readFormFields(req.body, FIELDS);
    const parsed = parseRateFields(typed, req.member!.currency);
    if (!parsed.ok || Object.keys(sentTwice).length) return render(req, res, 400, { errors: { ...(parsed.ok ? {} : parsed.errors), ...sentTwice }, typed });
    await roomFor(req.member!.sub, 1);
    await deps.rates.upsert(req.member!.sub, req.member!.currency, [parsed.row]);
    req.flash(`Saved the rate for ${parsed.row.currency} on ${parsed.row.date}.`);
    res.redirect(303, '/rates');
  });

  router.post('/import', async function ratesPostImport(req, res) {
    if (!req.file || req.file.size === 0) return render(req, res, 400, { importErrors: ['Choose a CSV file of date,currency,rate lines.'] });
    const decoded = decodeUpload(req.file.buffer, 'auto');
    if (!decoded.ok) return render(req, res, 400, { importErrors: [decoded.error] });
    const parsed = parseRatesCsv(decoded.text, req.member!.currency);
    if (parsed.errorCount > 0) return render(req, res, 400, { importErrors: [...parsed.errors, ...(parsed.errorCount > parsed.errors.length ? [`…and ${parsed.errorCount - parsed.errors.length} more. Nothing was imported.`] : ['Nothing was imported.'])] });
    if (parsed.rows.length === 0) return render(req, res, 400, { importErrors: ['The file has no rates.'] });
    await roomFor(req.member!.sub, parsed.rows.length);
    await deps.rates.upsert(req.member!.sub, req.member!.currency, parsed.rows);
    req.flash(`${plural(parsed.rows.length, 'rate')} saved.`);
    res.redirect(303, '/rates');
  });

  router.post('/delete', async function ratesPostDelete(req, res) {
    const { typed } = readFormFields(req.body, FIELDS);
    if (!(await deps.rates.remove(req.member!.sub, req.member!.currency, typed.currency, typed.date))) throw new NotFoundError('There is no such rate.');
    req.flash(`Deleted the rate for ${typed.currency} on ${typed.date}.`);
    res.redirect(303, '/rates');
  });

  return router;
}
