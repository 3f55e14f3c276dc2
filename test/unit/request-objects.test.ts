import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../../src/audit/service.js';
import { flashMessages, flashMethod } from '../../src/http/flash.js';
import { createCsrf } from '../../src/security/csrf.js';
import type { AppSessionData } from '../../src/sessions/access.js';

/**
 * A function stored on a request (or on anything made per request) lives, with all it closes
 * over, until V8's next full collection: the scavenger keeps it. These layers put none there.
 */
describe('per-request layers that store no function on the request', () => {
  function appWith(session: AppSessionData | undefined, user: object | null) {
    const refused: string[] = [];
    const audit = { recordRefused: async (_req: unknown, type: string) => void refused.push(type) } as unknown as AuditService;
    const access = () => session;
    const app = express();
    app.request.flash = flashMethod(access);
    app.use(express.urlencoded({ extended: false }));
    app.use((req, res, next) => {
      req.user = user as never;
      res.locals.csrfToken = null;
      next();
    });
    app.use(createCsrf(access, audit).protect);
    app.use(flashMessages(access));
    const own: Record<string, boolean> = {};
    app.all('/change', (req, res) => {
      own.flash = Object.hasOwn(req, 'flash');
      own.csrfToken = Object.hasOwn(req, 'csrfToken');
      req.flash('Saved.');
      res.json({ token: res.locals.csrfToken, flash: res.locals.flash });
    });
    app.use(((err, _req, res, _next) => res.status(err.status ?? 500).send(err.message)) as express.ErrorRequestHandler);
    return { app, refused, own };
  }

  it('req.flash is one method of the app request prototype, and keeps the message in the signed-in session', async () => {
    const session: AppSessionData = {};
    const { app, own } = appWith(session, { sub: 'auth0|a' });
    const page = await request(app).get('/change').set('accept', 'text/html');
    expect(page.status).toBe(200);
    expect(own.flash).toBe(false);
    expect(session.flash).toEqual({ kind: 'ok', text: 'Saved.' });
    // The next page takes it once.
    expect((await request(app).get('/change').set('accept', 'text/html')).body.flash).toEqual({ kind: 'ok', text: 'Saved.' });
  });

  it('req.flash keeps nothing without a signed-in person', async () => {
    const session: AppSessionData = {};
    await request(appWith(session, null).app).get('/change');
    expect(session.flash).toBeUndefined();
  });

  it('the CSRF check refuses a change without the session token, lets it through with it, and sets no req.csrfToken', async () => {
    const session: AppSessionData = {};
    const { app, refused, own } = appWith(session, { sub: 'auth0|a' });
    const token = (await request(app).get('/change')).body.token as string;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(session.csrfToken).toBe(token);
    expect(own.csrfToken).toBe(false);
    const missing = await request(app).post('/change').type('form').send({});
    expect(missing.status).toBe(403);
    const wrong = await request(app).post('/change').type('form').send({ _csrf: 'f'.repeat(64) });
    expect(wrong.status).toBe(403);
    expect(refused).toEqual(['csrf.failure', 'csrf.failure']);
    const right = await request(app).post('/change').type('form').send({ _csrf: token });
    expect(right.status).toBe(200);
    const header = await request(app).delete('/change').set('x-csrf-token', token);
    expect(header.status).toBe(200);
    expect(own.csrfToken).toBe(false);
  });
});
