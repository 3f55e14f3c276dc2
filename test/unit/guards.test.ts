import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { currentUserFromClaims, rolesFromClaims } from '../../src/auth/current-user.js';
import { requiresAuth } from '../../src/auth/guards.js';
import type { CurrentUser } from '../../src/auth/current-user.js';

const ROLES = 'https://coach.example.com/roles';
const alex: CurrentUser = { sub: 'auth0|1', name: 'Alex', email: 'a@example.com', emailVerified: true, picture: null, roles: [] };

function appWith(user: CurrentUser | null) {
  const app = express();
  app.use((req, _res, next) => {
    req.user = user;
    next();
  });
  app.get('/dashboard', requiresAuth, (_req, res) => res.send('secret data'));
  app.post('/dashboard', requiresAuth, (_req, res) => res.send('changed'));
  app.use(((err, _req, res, _next) => res.status(err.status ?? 500).json({ status: err.status })) as express.ErrorRequestHandler);
  return app;
}

describe('requiresAuth', () => {
  it('lets a signed-in user through', async () => {
    const res = await request(appWith(alex)).get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).toBe('secret data');
  });

  it('redirects an anonymous browser to /login with a returnTo of the requested path', async () => {
    const res = await request(appWith(null)).get('/dashboard?month=2026-11').set('Accept', 'text/html');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?returnTo=%2Fdashboard%3Fmonth%3D2026-11');
  });

  it('treats Accept */* as a browser', async () => {
    const res = await request(appWith(null)).get('/dashboard').set('Accept', '*/*');
    expect(res.status).toBe(302);
  });

  it('answers 401 to an anonymous JSON request', async () => {
    const res = await request(appWith(null)).get('/dashboard').set('Accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('secret data');
  });

  it('answers 401 to an anonymous XHR even when it accepts HTML', async () => {
    const res = await request(appWith(null)).get('/dashboard').set('Accept', 'text/html').set('X-Requested-With', 'XMLHttpRequest');
    expect(res.status).toBe(401);
  });

  it('answers 401, not a redirect, to an anonymous POST', async () => {
    const res = await request(appWith(null)).post('/dashboard').set('Accept', 'text/html');
    expect(res.status).toBe(401);
  });
});

describe('current user from ID token claims', () => {
  it('reads roles only from the configured namespaced claim', () => {
    expect(rolesFromClaims({ [ROLES]: ['admin', 3, 'member'], roles: ['root'] }, ROLES)).toEqual(['admin', 'member']);
    expect(rolesFromClaims({ roles: ['admin'] }, ROLES)).toEqual([]);
    expect(rolesFromClaims({ [ROLES]: 'admin' }, ROLES)).toEqual([]);
  });

  it('needs a sub and treats only email_verified === true as verified', () => {
    expect(currentUserFromClaims({ email: 'a@example.com' }, ROLES)).toBeNull();
    expect(currentUserFromClaims({ sub: 'x', email_verified: 'true' }, ROLES)?.emailVerified).toBe(false);
  });

  it('keeps only https (or loopback http) pictures', () => {
    expect(currentUserFromClaims({ sub: 'x', picture: 'javascript:alert(1)' }, ROLES)?.picture).toBeNull();
    expect(currentUserFromClaims({ sub: 'x', picture: 'https://cdn.example/p.png' }, ROLES)?.picture).toBe('https://cdn.example/p.png');
  });
});
