import express, { type Request, type Response, type Router } from 'express';
import { DATABASE_CONNECTION, SOCIAL_PERSONAS, type DevAccount, type DevAccounts } from './accounts.js';
import { EMAIL_SHAPE } from './input.js';
import type { DevMail } from './mail.js';
import { requireScope, type M2mTokens } from './m2m-tokens.js';

interface Options {
  accounts: DevAccounts;
  mail: DevMail;
  tokens: M2mTokens;
  /** Ends the provider's own sessions and grants of an account (it was deleted). */
  endProviderSessions: (sub: string) => void;
}

function apiError(res: Response, status: number, error: string, message: string, errorCode: string) {
  res.status(status).json({ statusCode: status, error, message, errorCode });
}

const notFound = (res: Response) => apiError(res, 404, 'Not Found', 'The user does not exist.', 'inexistent_user');

/** A user as Auth0's GET /api/v2/users/{id} returns it (the fields the app can use). */
function userJson(a: DevAccount, enrolled: boolean) {
  const [provider, ...rest] = a.sub.split('|');
  const isSocial = a.connection !== DATABASE_CONNECTION;
  return {
    user_id: a.sub,
    email: a.email,
    email_verified: a.emailVerified,
    name: a.name,
    nickname: a.email.split('@')[0],
    identities: [{ connection: a.connection, provider: provider === 'auth0' ? 'auth0' : provider, user_id: rest.join('|'), isSocial }],
    ...(enrolled ? { multifactor: ['guardian'] } : {}),
  };
}

/**
 * The part of Auth0's Management API the app uses, with Auth0's paths, scopes, status codes and
 * error bodies:
 *   GET    /api/v2/users/{id}                 read:users
 *   GET    /api/v2/users/{id}/enrollments     read:users
 *   PATCH  /api/v2/users/{id}                 update:users   (email, verify_email, email_verified, name)
 *   DELETE /api/v2/users/{id}                 delete:users
 *   DELETE /api/v2/users/{id}/authenticators  delete:guardian_enrollments
 */
export function managementApiRoutes(o: Options): Router {
  const router = express.Router();
  router.use('/api/v2', (req, res, next) => void o.tokens.authenticate(req, res, next));
  const json = express.json({ limit: '8kb' });
  const account = (req: Request) => o.accounts.findBySub(String(req.params.id));
  const enrolled = (sub: string) => o.accounts.totp(sub).secret !== null;

  router.get('/api/v2/users/:id', requireScope('read:users'), (req, res) => {
    const a = account(req);
    if (!a) return notFound(res);
    res.json(userJson(a, enrolled(a.sub)));
  });

  router.get('/api/v2/users/:id/enrollments', requireScope('read:users'), (req, res) => {
    const a = account(req);
    if (!a) return notFound(res);
    res.json(enrolled(a.sub) ? [{ id: `totp|dev_${a.sub.replace(/\W/g, '')}`, status: 'confirmed', type: 'authenticator', auth_method: 'authenticator', name: 'Authenticator app' }] : []);
  });

  router.patch('/api/v2/users/:id', requireScope('update:users'), json, (req, res) => {
    const a = account(req);
    if (!a) return notFound(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !['email', 'verify_email', 'email_verified', 'name'].includes(k));
    if (unknown.length > 0) {
      return apiError(res, 400, 'Bad Request', `Payload validation error: 'Additional properties not allowed: ${unknown.join(',')}'.`, 'invalid_body');
    }
    if (body.email !== undefined) {
      if (typeof body.email !== 'string' || body.email.length > 254 || !EMAIL_SHAPE.test(body.email)) {
        return apiError(res, 400, 'Bad Request', `Payload validation error: 'Object didn't pass validation for format email' on property email.`, 'invalid_body');
      }
      if (a.connection !== DATABASE_CONNECTION) {
        const provider = SOCIAL_PERSONAS[a.connection]?.provider ?? a.connection;
        return apiError(res, 400, 'Bad Request', `The email of a ${provider} user is managed by ${provider}.`, 'operation_not_supported');
      }
      // As in Auth0: a new address is unverified unless email_verified says otherwise.
      const verified = body.email_verified === true;
      const outcome = o.accounts.changeEmail(a.sub, body.email, verified);
      if (outcome === 'taken') return apiError(res, 409, 'Conflict', 'The specified new email already exists', 'email_already_exists');
      if (body.verify_email === true && !verified) o.mail.sendVerification(a.sub, body.email.trim().toLowerCase());
    }
    const updated = o.accounts.findBySub(a.sub)!;
    res.json(userJson(updated, enrolled(updated.sub)));
  });

  router.delete('/api/v2/users/:id', requireScope('delete:users'), (req, res) => {
    const a = account(req);
    // Auth0 answers 204 for a user that is already gone, so a retried delete is harmless.
    if (a) {
      o.accounts.remove(a.sub);
      o.mail.forget(a.sub);
      o.endProviderSessions(a.sub);
    }
    res.status(204).end();
  });

  router.delete('/api/v2/users/:id/authenticators', requireScope('delete:guardian_enrollments'), (req, res) => {
    const a = account(req);
    if (!a) return notFound(res);
    o.accounts.removeAuthenticators(a.sub);
    res.status(204).end();
  });

  router.use('/api/v2', (_req, res) => apiError(res, 404, 'Not Found', 'Not Found', 'not_found'));
  return router;
}
