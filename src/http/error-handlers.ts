import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging/logger.js';
import { HttpError, NotFoundError } from './errors.js';
import { wantsHtml } from './negotiation.js';
import { requestLogger } from './request-logging.js';

const GENERIC: Record<number, { title: string; message: string }> = {
  400: { title: 'Bad request', message: 'The request could not be understood. Please go back and try again.' },
  401: { title: 'Sign-in required', message: 'Please sign in to continue.' },
  403: { title: 'Access denied', message: 'You do not have access to this page.' },
  404: { title: 'Page not found', message: 'We could not find that page.' },
  413: { title: 'Too large', message: 'What you sent is larger than we accept.' },
  429: { title: 'Too many requests', message: 'Please wait a moment and try again.' },
  503: { title: 'Temporarily unavailable', message: 'The service is briefly unavailable. Please try again in a moment.' },
  500: { title: 'Something went wrong', message: 'Something went wrong on our side. Please try again.' },
};

/** The last route: anything unmatched is a 404. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError());
};

/**
 * The one error handler. It decides the status, logs server faults with their stack, and shows
 * the person a generic page (or JSON) with no stack, path or version, whatever NODE_ENV says.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return function errorPage(err, req, res, _next) {
    const status = statusOf(err);
    const log = requestLogger(req, logger);
    if (status >= 500) log.error({ err, status }, 'request failed');
    else log.info({ status, error: errorName(err) }, 'request refused');

    if (res.headersSent) {
      res.end();
      return;
    }
    const generic = GENERIC[status] ?? GENERIC[status >= 500 ? 500 : 400]!;
    const message = err instanceof HttpError ? err.publicMessage : generic.message;
    res.status(status);
    res.set('Cache-Control', 'no-store');
    if (wantsHtml(req)) {
      const view = err instanceof HttpError ? err.view : undefined;
      res.render('layout', {
        page: view?.page ?? 'errors/error',
        title: view?.title ?? generic.title,
        status,
        message,
        ...view?.locals,
      });
    } else {
      res.json({ error: generic.title, message, status });
    }
  };
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const s = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  // Only client errors raised by trusted middleware (body parser, OIDC callback checks) keep their status.
  return s >= 400 && s < 600 ? s : 500;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
