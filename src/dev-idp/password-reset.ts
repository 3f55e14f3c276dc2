import express, { type Response, type Router } from 'express';
import { DATABASE_CONNECTION, type DevAccounts } from './accounts.js';
import type { DevMail } from './mail.js';
import { EMAIL_SHAPE, str } from './input.js';
import type { DevIdpPages } from './pages.js';
import { PASSWORD_RULE, passwordError } from './password-policy.js';

interface Options {
  accounts: DevAccounts;
  mail: DevMail;
  pages: DevIdpPages;
  /** The applications allowed to ask for a reset email (Auth0 checks the client_id too). */
  clientIds: string[];
  /** A new password ends the account's provider sessions, as Auth0 does. */
  endProviderSessions: (sub: string) => void;
}

const SENT = "We've just sent you an email to reset your password.";

/**
 * Auth0's password reset for database connections:
 *   POST /dbconnections/change_password   {client_id, email, connection}: the same answer whether
 *                                         or not the address has an account (no enumeration)
 *   GET  /u/reset-password?ticket=...     the form the emailed link opens
 *   POST /u/reset-password                sets the password: policy checked, link used once
 */
export function passwordResetRoutes(o: Options): Router {
  const router = express.Router();
  const clients = new Set(o.clientIds);
  const body = [express.json({ limit: '4kb' }), express.urlencoded({ extended: false, limit: '4kb' })];

  router.post('/dbconnections/change_password', ...body, (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    res.set('Cache-Control', 'no-store');
    if (!clients.has(str(b.client_id, 200))) return res.status(401).json({ error: 'unauthorized', error_description: 'Unknown client.' });
    if (b.connection !== DATABASE_CONNECTION) return res.status(400).json({ error: 'bad.connection', error_description: 'Connection does not exist or is not a database connection.' });
    const email = str(b.email, 320);
    if (!EMAIL_SHAPE.test(email)) return res.status(400).json({ error: 'bad.email', error_description: 'Enter a valid email address.' });
    const account = o.accounts.findByEmail(email);
    if (account) o.mail.sendPasswordReset(account.sub, account.email);
    res.type('text/plain').send(SENT);
  });

  async function form(res: Response, status: number, ticket: string, error: string | null) {
    res.status(status).send(await o.pages.render('reset-password', { title: 'Choose a new password', ticket, rule: PASSWORD_RULE, error }));
  }

  async function invalidLink(res: Response) {
    res.status(400).send(
      await o.pages.render('error', {
        title: 'Link not valid',
        error: 'invalid_ticket',
        description: 'This password-reset link has been used or has expired. Ask the app for a new one.',
      }),
    );
  }

  // The ticket is in the URL: keep it out of caches and Referer headers.
  router.use('/u/reset-password', (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    next();
  });

  router.get('/u/reset-password', async (req, res) => {
    const ticket = str(req.query.ticket, 100);
    // Looking does not use the link up: mail scanners open links too.
    if (!o.mail.peek('reset-password', ticket)) return invalidLink(res);
    await form(res, 200, ticket, null);
  });

  router.post('/u/reset-password', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const ticket = str(b.ticket, 100);
    if (!o.mail.peek('reset-password', ticket)) return invalidLink(res);
    const password = str(b.password, 1024);
    const problem = passwordError(password);
    if (problem) return form(res, 400, ticket, problem);
    if (password !== str(b.confirm, 1024)) return form(res, 400, ticket, 'The two passwords are not the same.');
    // Redeemed only now, and only once: of two racing submissions, one wins.
    const sub = o.mail.redeem('reset-password', ticket);
    if (!sub || !(await o.accounts.setPassword(sub, password))) return invalidLink(res);
    o.endProviderSessions(sub);
    res.send(await o.pages.render('password-changed', { title: 'Password changed' }));
  });

  return router;
}
