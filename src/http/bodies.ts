import express, { type RequestHandler } from 'express';

/**
 * Form and JSON bodies, size- and field-capped, parsed only for requests that can carry one (the
 * app's pages are GETs). 250 fields: the budgets form has one per category (at most 200) plus a few.
 */
export function parseBodies(): RequestHandler {
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 250 });
  const json = express.json({ limit: '32kb' });
  return function bodies(req, res, next) {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    form(req, res, (err?: unknown) => (err ? next(err) : json(req, res, next)));
  };
}
