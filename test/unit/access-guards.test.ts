import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { CurrentUser } from '../../src/auth/current-user.js';
import { createGuards } from '../../src/auth/guards.js';
import { MFA_POLICY, mfaStatus } from '../../src/auth/mfa.js';
import type { AuditService } from '../../src/audit/service.js';
import type { AppSessionData } from '../../src/sessions/access.js';

const NOW = 1_800_000_000;
const member: CurrentUser = { sub: 'auth0|m', name: 'M', email: 'm@example.com', emailVerified: true, picture: null, roles: [] };
const admin: CurrentUser = { ...member, sub: 'auth0|a', roles: ['admin'] };

let harnesses = 0;

function harness(opts: { user: CurrentUser | null; claims?: Record<string, unknown>; session?: AppSessionData; mode?: 'sensitive' | 'always' }) {
  const events: string[] = [];
  const logins: unknown[] = [];
  const audit = { record: async (_req: unknown, type: string) => void events.push(type) } as unknown as AuditService;
  // The claims come from the session's ID token, decoded by the library (req.oidc) once per token.
  const session = { id_token: `id-token-${++harnesses}`, ...opts.session };
  const guards = createGuards({ audit, session: () => session, mfaMaxAgeMinutes: 15, mfaMode: opts.mode ?? 'sensitive', now: () => NOW * 1000 });
  const app = express();
  app.use((req, res, next) => {
    req.user = opts.user;
    (req as unknown as { oidc: unknown }).oidc = { idTokenClaims: opts.claims ?? {} };
    (res as unknown as { oidc: unknown }).oidc = {
      login: async (o: unknown) => {
        logins.push(o);
        res.redirect('/provider');
      },
    };
    next();
  });
  app.get('/admin', guards.requiresRole('admin'), (_req, res) => res.send('admin page'));
  app.get('/sensitive', guards.requiresMfa(), (_req, res) => res.send('sensitive page'));
  app.post('/sensitive', guards.requiresMfa(), (_req, res) => res.send('changed'));
  app.get('/finance', ...guards.member, (_req, res) => res.send('finance page'));
  app.use(((err, _req, res, _next) => res.status(err.status ?? 500).send(err.view?.page ?? err.message)) as express.ErrorRequestHandler);
  return { app, events, logins };
}

describe('mfaStatus', () => {
  it('counts MFA only when amr contains "mfa", and fresh only within the window', () => {
    expect(mfaStatus({ amr: ['pwd', 'mfa'], auth_time: NOW - 60 }, NOW, 900)).toEqual({ done: true, fresh: true });
    expect(mfaStatus({ amr: ['pwd', 'mfa'], auth_time: NOW - 901 }, NOW, 900)).toEqual({ done: true, fresh: false });
    expect(mfaStatus({ amr: ['pwd'], acr: MFA_POLICY, auth_time: NOW }, NOW, 900)).toEqual({ done: false, fresh: false });
    expect(mfaStatus({ amr: 'mfa', auth_time: NOW }, NOW, 900).done).toBe(false);
    expect(mfaStatus({ amr: ['mfa'] }, NOW, 900)).toEqual({ done: true, fresh: false });
    expect(mfaStatus({ amr: ['mfa'], auth_time: NOW + 3600 }, NOW, 900).fresh).toBe(false);
  });
});

describe('requiresRole', () => {
  it('lets a user with the role through', async () => {
    expect((await request(harness({ user: admin }).app).get('/admin')).status).toBe(200);
  });

  it('answers 403 (not a login redirect) to a signed-in user without the role, and audits it', async () => {
    const h = harness({ user: member });
    const res = await request(h.app).get('/admin').set('Accept', 'text/html');
    expect(res.status).toBe(403);
    expect(h.events).toEqual(['access.denied']);
    expect(h.logins).toEqual([]);
  });

  it('treats an anonymous request like requiresAuth', async () => {
    const res = await request(harness({ user: null }).app).get('/admin').set('Accept', 'text/html');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?returnTo=%2Fadmin');
  });
});

describe('requiresMfa', () => {
  it('passes with fresh MFA in the ID token', async () => {
    const h = harness({ user: admin, claims: { amr: ['mfa'], auth_time: NOW - 10 } });
    expect((await request(h.app).get('/sensitive')).status).toBe(200);
  });

  it('starts a step-up login (acr_values and max_age) for a page request without MFA', async () => {
    const h = harness({ user: admin, claims: { amr: ['pwd'], auth_time: NOW - 10 } });
    const res = await request(h.app).get('/sensitive?x=1').set('Accept', 'text/html');
    expect(res.status).toBe(302);
    expect(h.logins).toEqual([{ returnTo: '/sensitive?x=1', authorizationParams: { acr_values: MFA_POLICY, max_age: 900 }, stepUp: true }]);
    expect(h.events).toEqual(['mfa.step_up']);
  });

  it('steps up again when the MFA is older than the window', async () => {
    const h = harness({ user: admin, claims: { amr: ['mfa'], auth_time: NOW - 16 * 60 } });
    await request(h.app).get('/sensitive').set('Accept', 'text/html');
    expect(h.logins).toHaveLength(1);
  });

  it('answers the enrolment 403 page instead of another round trip once a step-up came back without MFA', async () => {
    const h = harness({ user: admin, claims: { amr: ['pwd'] }, session: { mfaStepUpFailed: true } });
    const res = await request(h.app).get('/sensitive').set('Accept', 'text/html');
    expect(res.status).toBe(403);
    expect(res.text).toBe('errors/mfa-required');
    expect(h.logins).toEqual([]);
    expect(h.events).toEqual(['mfa.step_up_failed']);
  });

  it('answers 403 to a POST or an API call without fresh MFA rather than redirecting it', async () => {
    const h = harness({ user: admin, claims: { amr: ['pwd'] } });
    expect((await request(h.app).post('/sensitive')).status).toBe(403);
    expect((await request(h.app).get('/sensitive').set('Accept', 'application/json')).status).toBe(403);
    expect(h.logins).toEqual([]);
  });
});

describe('member areas', () => {
  it('send an unverified user to the verification page and answer their API calls 403', async () => {
    const unverified = { ...member, emailVerified: false };
    const page = await request(harness({ user: unverified }).app).get('/finance').set('Accept', 'text/html');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/verify-email');
    const api = await request(harness({ user: unverified }).app).get('/finance').set('Accept', 'application/json');
    expect(api.status).toBe(403);
    expect(api.text).not.toContain('finance page');
  });

  it('need MFA (of any age) when MFA_MODE=always', async () => {
    const without = harness({ user: member, claims: { amr: ['pwd'] }, mode: 'always' });
    expect((await request(without.app).get('/finance').set('Accept', 'text/html')).status).toBe(302);
    expect(without.logins).toHaveLength(1);
    const withOld = harness({ user: member, claims: { amr: ['mfa'], auth_time: NOW - 86400 }, mode: 'always' });
    expect((await request(withOld.app).get('/finance')).status).toBe(200);
  });
});
