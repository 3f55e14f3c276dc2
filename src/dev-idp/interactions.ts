import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { DATABASE_CONNECTION, SOCIAL_PERSONAS, type DevAccounts } from './accounts.js';
import type { DevIdpPages } from './pages.js';

interface Options {
  provider: Provider;
  accounts: DevAccounts;
  pages: DevIdpPages;
  socialConnections: string[];
}

/** The universal-login-style pages: email and password, or a button per social connection. */
export function interactionRoutes(o: Options): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const social = new Set(o.socialConnections);
  const buttons = o.socialConnections.map((c) => ({ connection: c, label: SOCIAL_PERSONAS[c]?.provider ?? c }));

  async function details(req: Request, res: Response) {
    const d = await o.provider.interactionDetails(req, res);
    if (d.uid !== req.params.uid) throw new Error('interaction mismatch');
    return d;
  }

  router.get('/interaction/:uid', async (req, res) => {
    const d = await details(req, res);
    res.set('Cache-Control', 'no-store');
    if (d.prompt.name !== 'login') {
      // Consent is granted by loadExistingGrant; any other prompt simply resumes.
      await o.provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      return;
    }
    const connection = typeof d.params.connection === 'string' ? d.params.connection : undefined;
    if (connection && social.has(connection)) {
      res.redirect(303, `/interaction/${d.uid}/connection/${encodeURIComponent(connection)}`);
      return;
    }
    res.send(await o.pages.render('login', { title: 'Sign in', uid: d.uid, buttons, email: d.params.login_hint ?? '', error: null }));
  });

  router.post('/interaction/:uid/login', form, async (req, res) => {
    const d = await details(req, res);
    const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 320) : '';
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 1024) : '';
    const account = email && password ? o.accounts.authenticate(email, password) : undefined;
    if (!account) {
      res.status(401).set('Cache-Control', 'no-store');
      res.send(await o.pages.render('login', { title: 'Sign in', uid: d.uid, buttons, email, error: 'Wrong email or password.' }));
      return;
    }
    await o.provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  });

  router.get('/interaction/:uid/connection/:connection', async (req, res) => {
    const d = await details(req, res);
    const connection = String(req.params.connection);
    if (!social.has(connection)) {
      res.status(404).send(await o.pages.render('error', { title: 'Unknown connection', error: 'invalid_connection', description: 'That connection is not enabled.' }));
      return;
    }
    const account = o.accounts.socialAccount(connection);
    res.set('Cache-Control', 'no-store');
    res.send(await o.pages.render('social', { title: `Continue with ${SOCIAL_PERSONAS[connection]?.provider ?? connection}`, uid: d.uid, connection, account }));
  });

  router.post('/interaction/:uid/connection/:connection', form, async (req, res) => {
    await details(req, res);
    const connection = String(req.params.connection);
    if (!social.has(connection) || connection === DATABASE_CONNECTION) {
      res.status(404).send(await o.pages.render('error', { title: 'Unknown connection', error: 'invalid_connection', description: 'That connection is not enabled.' }));
      return;
    }
    const account = o.accounts.socialAccount(connection);
    await o.provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  });

  router.post('/interaction/:uid/abort', form, async (req, res) => {
    await details(req, res);
    await o.provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}
