import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { DevIdpKeys } from './keys.js';

/** A machine-to-machine application and the Management API scopes its client grant allows. */
export interface DevM2mClient {
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

/** Auth0's default lifetime for Management API tokens. */
const TOKEN_TTL_SECONDS = 24 * 3600;

export interface M2mTokens {
  audience: string;
  /** The client-credentials grant, answered as Auth0 answers it (JSON body, `audience` parameter). */
  tokenRoute: Router;
  /** Checks a bearer token for the Management API; resolves to its scopes, or answers 401 itself. */
  authenticate(req: Request, res: Response, next: NextFunction): Promise<void>;
}

const safeEqual = (a: string, b: string) => {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
};

/**
 * Tokens for the development provider's Management API: RS256 JWTs with Auth0's claims
 * (`iss` with a trailing slash, `sub` "<client>@clients", `aud` "<issuer>/api/v2/", `scope`,
 * `gty` client-credentials), signed with the provider's own key.
 */
export function createM2mTokens(o: { issuer: string; keys: DevIdpKeys; clients: DevM2mClient[]; now?: () => number }): M2mTokens {
  const now = o.now ?? (() => Date.now());
  const audience = `${o.issuer}/api/v2/`;
  const tokenIssuer = `${o.issuer}/`;
  const jwk = o.keys.signingKeys[0]!;
  const privateKey = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const publicKey = crypto.createPublicKey(privateKey);
  const clients = new Map(o.clients.map((c) => [c.clientId, c]));

  const deny = (res: Response, status: number, error: string, description: string) =>
    res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });

  const tokenRoute = express.Router();
  tokenRoute.post('/oauth/token', express.json({ limit: '8kb' }), async (req, res, next) => {
    // Form-encoded requests (the app's authorization-code exchange) go on to oidc-provider.
    if (!req.is('application/json')) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') {
      return deny(res, 400, 'unsupported_grant_type', 'Only client_credentials is accepted as JSON here; other grants use a form body.');
    }
    const basic = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
    const [basicId, basicSecret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
    const clientId = typeof body.client_id === 'string' ? body.client_id : (basicId ?? '');
    const secret = typeof body.client_secret === 'string' ? body.client_secret : (basicSecret ?? '');
    const client = clients.get(clientId);
    if (!client || !safeEqual(secret, client.clientSecret)) return deny(res, 401, 'access_denied', 'Unauthorized');
    if (body.audience !== audience) return deny(res, 403, 'access_denied', `Service not enabled within domain: ${String(body.audience ?? '')}`);
    const requested = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : client.scopes;
    const refused = requested.filter((s) => !client.scopes.includes(s));
    if (refused.length > 0) return deny(res, 403, 'access_denied', `Client has not been granted scopes: ${refused.join(', ')}`);
    const iat = Math.floor(now() / 1000);
    const token = await new SignJWT({ scope: requested.join(' '), gty: 'client-credentials', azp: client.clientId })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: String(jwk.kid) })
      .setIssuer(tokenIssuer)
      .setSubject(`${client.clientId}@clients`)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_TTL_SECONDS)
      .sign(privateKey);
    res.set('Cache-Control', 'no-store').json({ access_token: token, scope: requested.join(' '), expires_in: TOKEN_TTL_SECONDS, token_type: 'Bearer' });
  });

  async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    const unauthorized = (message: string) => {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ statusCode: 401, error: 'Unauthorized', message });
    };
    const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.get('authorization') ?? '');
    if (!bearer) return unauthorized('Missing authentication');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(bearer[1]!, publicKey, {
        issuer: tokenIssuer,
        audience,
        algorithms: ['RS256'],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      return unauthorized(err instanceof errors.JWTExpired ? 'Expired token received for JSON Web Token validation' : 'Invalid token');
    }
    res.locals.scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
    next();
  }

  return { audience, tokenRoute, authenticate };
}

/** Refuses a token without `scope`, in Auth0's words. */
export function requireScope(scope: string) {
  return function requireManagementScope(_req: Request, res: Response, next: NextFunction): void {
    if ((res.locals.scopes as Set<string> | undefined)?.has(scope)) return next();
    res.status(403).json({ statusCode: 403, error: 'Forbidden', message: `Insufficient scope, expected any of: ${scope}`, errorCode: 'insufficient_scope' });
  };
}
