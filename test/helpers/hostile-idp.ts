import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

/** How the token endpoint misbehaves for the next exchange. */
export type TokenMode =
  | 'ok'
  | 'wrong-iss'
  | 'wrong-aud'
  | 'no-aud'
  | 'multi-aud-no-azp'
  | 'multi-aud-with-azp'
  | 'wrong-azp'
  | 'no-sub'
  | 'no-iat'
  | 'expired'
  | 'wrong-nonce'
  | 'no-nonce'
  | 'alg-none'
  | 'hs256'
  | 'bad-signature'
  | 'unknown-kid'
  | 'rotated'
  | 'hang'
  | 'garbage'
  | 'error-500';

interface PendingCode {
  nonce: string;
  challenge: string;
  redirectUri: string;
  used: boolean;
}

/**
 * An OpenID provider the tests control, on 127.0.0.1. /authorize answers at once with a code for
 * a fixed user; the token endpoint hands out an ID token shaped by `mode`. It checks client
 * credentials, one-time codes and PKCE like a real provider, so only the chosen fault differs.
 */
export async function startHostileIdp(client: { clientId: string; clientSecret: string }) {
  let key = await makeKey();
  const retired: Array<typeof key> = [];
  const codes = new Map<string, PendingCode>();
  const state = {
    mode: 'ok' as TokenMode,
    discoveryIssuer: undefined as string | undefined,
    tokenRequests: 0,
    jwksRequests: 0,
    sub: 'hostile|user-1',
    extraClaims: {} as Record<string, unknown>,
    authorizeParams: [] as URLSearchParams[],
  };
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    try {
      if (url.pathname === '/.well-known/openid-configuration') return json(res, discovery());
      if (url.pathname === '/jwks') {
        state.jwksRequests++;
        return json(res, { keys: [key.publicJwk, ...retired.map((k) => k.publicJwk)] });
      }
      if (url.pathname === '/authorize') return authorize(url, res);
      if (url.pathname === '/oauth/token' && req.method === 'POST') return await token(req, res);
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function discovery() {
    return {
      issuer: state.discoveryIssuer ?? issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/jwks`,
      end_session_endpoint: `${issuer}/logout`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    };
  }

  function authorize(url: URL, res: http.ServerResponse) {
    state.authorizeParams.push(url.searchParams);
    const code = crypto.randomBytes(16).toString('base64url');
    codes.set(code, {
      nonce: url.searchParams.get('nonce') ?? '',
      challenge: url.searchParams.get('code_challenge') ?? '',
      redirectUri: url.searchParams.get('redirect_uri') ?? '',
      used: false,
    });
    const back = new URL(url.searchParams.get('redirect_uri')!);
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse) {
    state.tokenRequests++;
    const body = new URLSearchParams(await readBody(req));
    // client_secret_basic: form-encoded id and secret, base64 (RFC 6749 2.3.1).
    const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map((v) => decodeURIComponent(v.replace(/\+/g, ' ')));
    if (id !== client.clientId || secret !== client.clientSecret) return json(res, { error: 'invalid_client' }, 401);
    const pending = codes.get(body.get('code') ?? '');
    if (!pending || pending.used || pending.redirectUri !== body.get('redirect_uri')) return json(res, { error: 'invalid_grant' }, 400);
    pending.used = true;
    const verifier = body.get('code_verifier') ?? '';
    if (crypto.createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return json(res, { error: 'invalid_grant', error_description: 'PKCE' }, 400);

    if (state.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (state.mode === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id_token": <<not json');
    if (state.mode === 'error-500') return void res.writeHead(500).end('upstream exploded');
    json(res, { access_token: 'at-' + crypto.randomBytes(8).toString('hex'), token_type: 'Bearer', expires_in: 3600, id_token: await idToken(pending.nonce) });
  }

  async function idToken(nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload & Record<string, unknown> = {
      iss: issuer,
      aud: client.clientId,
      sub: state.sub,
      iat: now,
      exp: now + 3600,
      nonce,
      name: 'Hostile Test User',
      email: 'hostile@example.com',
      email_verified: true,
      ...state.extraClaims,
    };
    switch (state.mode) {
      case 'wrong-iss': claims.iss = 'https://evil.example/'; break;
      case 'wrong-aud': claims.aud = 'another-client'; break;
      case 'no-aud': delete claims.aud; break;
      case 'multi-aud-no-azp': claims.aud = [client.clientId, 'another-client']; break;
      case 'multi-aud-with-azp': claims.aud = [client.clientId, 'another-client']; claims.azp = client.clientId; break;
      case 'wrong-azp': claims.azp = 'another-client'; break;
      case 'no-sub': delete claims.sub; break;
      case 'no-iat': delete claims.iat; break;
      case 'expired': claims.iat = now - 7200; claims.exp = now - 120; break;
      case 'wrong-nonce': claims.nonce = 'not-the-nonce'; break;
      case 'no-nonce': delete claims.nonce; break;
      default: break;
    }
    if (state.mode === 'alg-none') {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
    }
    if (state.mode === 'hs256') {
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new TextEncoder().encode(client.clientSecret));
    }
    if (state.mode === 'unknown-kid') {
      const stranger = await makeKey();
      return sign(claims, stranger);
    }
    if (state.mode === 'rotated') {
      retired.push(key);
      key = await makeKey();
      state.mode = 'ok';
    }
    const jwt = await sign(claims, key);
    if (state.mode === 'bad-signature') {
      const [h, p, s] = jwt.split('.');
      const flipped = Buffer.from(s!, 'base64url');
      flipped[10] = flipped[10]! ^ 0xff;
      return `${h}.${p}.${flipped.toString('base64url')}`;
    }
    return jwt;
  }

  /** A logout token signed with the provider's key (or shaped by `tweak`); `typ` null leaves the header's typ out. */
  async function logoutToken(tweak: (claims: Record<string, unknown>) => void = () => {}, alg: 'RS256' | 'none' = 'RS256', typ: string | null = 'logout+jwt'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: issuer,
      aud: client.clientId,
      sub: state.sub,
      iat: now,
      exp: now + 120,
      jti: crypto.randomUUID(),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    };
    tweak(claims);
    if (alg === 'none') {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'logout+jwt' })}.${enc(claims)}.`;
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, ...(typ === null ? {} : { typ }) }).sign(key.privateKey);
  }

  return {
    issuer,
    state,
    logoutToken,
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type HostileIdp = Awaited<ReturnType<typeof startHostileIdp>>;

async function makeKey(): Promise<{ kid: string; privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = crypto.randomBytes(6).toString('hex');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function sign(claims: JWTPayload, k: { kid: string; privateKey: CryptoKey }): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: k.kid }).sign(k.privateKey);
}

function json(res: http.ServerResponse, body: unknown, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
