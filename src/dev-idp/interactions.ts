import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { DATABASE_CONNECTION, SOCIAL_PERSONAS, type DevAccounts } from './accounts.js';
import type { DevMail } from './mail.js';
import { checkTotp, enrolment, MFA_POLICY, newTotpSecret } from './mfa.js';
import { EMAIL_SHAPE, str } from './input.js';
import type { DevIdpPages } from './pages.js';
import { PASSWORD_RULE, passwordError } from './password-policy.js';

interface Options {
  provider: Provider;
  accounts: DevAccounts;
  mail: DevMail;
  pages: DevIdpPages;
  socialConnections: string[];
}


/**
 * The universal-login-style pages: email and password or a social button, sign-up, and the
 * MFA step (TOTP, with enrolment for accounts that have no authenticator yet).
 */
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

  const renderLogin = async (res: Response, uid: string, email: string, error: string | null, status = 200) =>
    res.status(status).set('Cache-Control', 'no-store').send(await o.pages.render('login', { title: 'Sign in', uid, buttons, email, error }));

  async function renderMfa(res: Response, uid: string, accountId: string, error: string | null, status = 200) {
    const account = o.accounts.findBySub(accountId);
    if (!account) throw new Error('unknown account');
    let { secret, pending } = o.accounts.totp(accountId);
    res.status(status).set('Cache-Control', 'no-store');
    if (secret) return res.send(await o.pages.render('mfa', { title: 'Verify it is you', uid, error }));
    if (!pending) {
      pending = newTotpSecret();
      o.accounts.startTotpEnrolment(accountId, pending);
    }
    const { uri, qrSvg } = await enrolment(account.email, pending);
    res.send(await o.pages.render('mfa-enrol', { title: 'Set up an authenticator', uid, error, secret: pending, uri, qrSvg }));
  }

  router.get('/interaction/:uid', async (req, res) => {
    const d = await details(req, res);
    if (d.prompt.name === 'mfa') return renderMfa(res, d.uid, String(d.session?.accountId), null);
    if (d.prompt.name !== 'login') {
      // Consent is granted by loadExistingGrant; any other prompt simply resumes.
      return o.provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    }
    const connection = typeof d.params.connection === 'string' ? d.params.connection : undefined;
    if (connection && social.has(connection)) {
      return res.redirect(303, `/interaction/${d.uid}/connection/${encodeURIComponent(connection)}`);
    }
    await renderLogin(res, d.uid, str(d.params.login_hint, 320), null);
  });

  router.post('/interaction/:uid/login', form, async (req, res) => {
    const d = await details(req, res);
    const email = str(req.body?.email, 320);
    const password = str(req.body?.password, 1024);
    const account = email && password ? await o.accounts.authenticate(email, password) : undefined;
    if (!account) return renderLogin(res, d.uid, email, 'Wrong email or password.', 401);
    await o.provider.interactionFinished(req, res, { login: { accountId: account.sub, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  });

  router.post('/interaction/:uid/mfa', form, async (req, res) => {
    const d = await details(req, res);
    const accountId = String(d.session?.accountId ?? '');
    if (d.prompt.name !== 'mfa' || !accountId) throw new Error('no MFA step in progress');
    const code = str(req.body?.code, 16).replace(/\s/g, '');
    const { secret, pending, lastStep } = o.accounts.totp(accountId);
    const step = await checkTotp(secret ?? pending ?? '', code, lastStep);
    if (step === undefined) return renderMfa(res, d.uid, accountId, 'That code is not valid. Enter the current 6-digit code.', 401);
    if (secret) o.accounts.recordTotpStep(accountId, step);
    else o.accounts.confirmTotpEnrolment(accountId, step);
    await o.provider.interactionFinished(
      req,
      res,
      { login: { accountId, acr: MFA_POLICY, amr: ['pwd', 'otp', 'mfa'] } },
      { mergeWithLastSubmission: true },
    );
  });

  router.get('/interaction/:uid/signup', async (req, res) => {
    const d = await details(req, res);
    res.set('Cache-Control', 'no-store').send(await o.pages.render('signup', { title: 'Create your account', uid: d.uid, rule: PASSWORD_RULE, values: {}, errors: {} }));
  });

  router.post('/interaction/:uid/signup', form, async (req, res) => {
    const d = await details(req, res);
    const values = { email: str(req.body?.email, 320).trim(), name: str(req.body?.name, 80).trim() };
    const password = str(req.body?.password, 1024);
    const errors: Record<string, string> = {};
    if (!EMAIL_SHAPE.test(values.email)) errors.email = 'Enter an email address such as name@example.com.';
    if (!values.name) errors.name = 'Enter your name.';
    const passwordProblem = passwordError(password);
    if (passwordProblem) errors.password = passwordProblem;
    const account = Object.keys(errors).length === 0 ? await o.accounts.signUp({ ...values, password }) : undefined;
    if (!account && !errors.email && Object.keys(errors).length === 0) errors.email = 'An account with this email already exists. Sign in instead.';
    if (!account) {
      return res.status(400).set('Cache-Control', 'no-store').send(await o.pages.render('signup', { title: 'Create your account', uid: d.uid, rule: PASSWORD_RULE, values, errors }));
    }
    o.mail.sendVerification(account.sub, account.email);
    // As Auth0 does, a new account is signed in straight away, with email_verified false.
    await o.provider.interactionFinished(req, res, { login: { accountId: account.sub, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  });

  router.get('/interaction/:uid/connection/:connection', async (req, res) => {
    const d = await details(req, res);
    const connection = String(req.params.connection);
    if (!social.has(connection)) return unknownConnection(res);
    const account = o.accounts.socialAccount(connection);
    res.set('Cache-Control', 'no-store');
    res.send(await o.pages.render('social', { title: `Continue with ${SOCIAL_PERSONAS[connection]?.provider ?? connection}`, uid: d.uid, connection, account }));
  });

  router.post('/interaction/:uid/connection/:connection', form, async (req, res) => {
    await details(req, res);
    const connection = String(req.params.connection);
    if (!social.has(connection) || connection === DATABASE_CONNECTION) return unknownConnection(res);
    const account = o.accounts.socialAccount(connection);
    await o.provider.interactionFinished(req, res, { login: { accountId: account.sub, amr: ['fed'] } }, { mergeWithLastSubmission: false });
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

  // The development outbox: where verification emails "arrive".
  router.get('/outbox', async (_req, res) => {
    res.set('Cache-Control', 'no-store').send(await o.pages.render('outbox', { title: 'Development outbox', messages: o.mail.list() }));
  });

  router.get('/verify-email', async (req, res) => {
    const sub = o.mail.redeem('verify-email', str(req.query.token, 100));
    if (sub) o.accounts.markEmailVerified(sub);
    res.status(sub ? 200 : 400).send(
      await o.pages.render(sub ? 'verified' : 'error', {
        title: sub ? 'Email verified' : 'Link not valid',
        error: 'invalid_token',
        description: 'This verification link is not valid any more. Sign in and ask for a new one.',
      }),
    );
  });

  async function unknownConnection(res: Response) {
    res.status(404).send(await o.pages.render('error', { title: 'Unknown connection', error: 'invalid_connection', description: 'That connection is not enabled.' }));
  }

  return router;
}
