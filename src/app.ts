import express from 'express';
import eoc from 'express-openid-connect';
import { createAfterCallback, createLogoutTokenHandler } from './auth/after-callback.js';
import { currentUser } from './auth/current-user.js';
import { oidcContexts } from './auth/oidc-middleware.js';
import { createGuards } from './auth/guards.js';
import { callbackErrors, callbackRoutes } from './auth/callback.js';
import { createIdTokenVerifier } from './auth/id-token-verifier.js';
import { oidcParams } from './auth/oidc.js';
import { authRoutes } from './auth/routes.js';
import { systemClock } from './clock/clock.js';
import { backchannelLogoutRoute } from './auth/backchannel-logout.js';
import { accountManagementRoutes } from './features/account-management/routes.js';
import { createAccountManagement } from './features/account-management/setup.js';
import { adminRoutes } from './features/admin/routes.js';
import { createAdminService } from './features/admin/service.js';
import { createAuditRepository } from './audit/repository.js';
import { createAuditService } from './audit/service.js';
import { dashboardRoutes } from './features/dashboard/routes.js';
import { createDashboardRepository } from './features/dashboard/repository.js';
import { createDashboardService } from './features/dashboard/service.js';
import { accountRoutes } from './features/accounts/routes.js';
import { apiRoutes } from './features/api/routes.js';
import { budgetRoutes } from './features/budgets/routes.js';
import { createFinance } from './features/finance.js';
import { categoryRoutes } from './features/categories/routes.js';
import { createDataRepository } from './features/data/repository.js';
import { dataRoutes } from './features/data/routes.js';
import { goalRoutes } from './features/goals/routes.js';
import { importRoutes } from './features/import/routes.js';
import { importUpload } from './features/import/upload.js';
import { helpRoutes } from './features/help/routes.js';
import { homeRoutes } from './features/home/routes.js';
import { bulkRoutes } from './features/transactions/bulk-routes.js';
import { transactionRoutes } from './features/transactions/routes.js';
import { scheduleRoutes } from './features/schedules/routes.js';
import { ruleRoutes } from './features/rules/routes.js';
import { payeeRoutes } from './features/payees/routes.js';
import { createPayeesRepository } from './features/payees/repository.js';
import { rateRoutes } from './features/rates/routes.js';
import { profileRoutes } from './features/profile/routes.js';
import { createProfileService } from './features/profile/service.js';
import { createUsersRepository } from './users/repository.js';
import { createUsersService } from './users/service.js';
import { verifyEmailRoutes } from './features/verify-email/routes.js';
import { errorHandler, notFoundHandler } from './http/error-handlers.js';
import { ServiceUnavailableError } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { parseBodies } from './http/bodies.js';
import { flashMessages, flashMethod } from './http/flash.js';
import { fixedPartials } from './http/fixed-partials.js';
import { configureViews } from './http/views.js';
import { FRAGMENTS_MOUNT, fragmentRoutes } from './http/fragments.js';
import { CURRENCY_CHOICES } from './features/profile/preferences.js';
import { loadMember } from './http/load-member.js';
import { onlyAt, segmentMounts } from './http/segment-mounts.js';
import { requestLogging } from './http/request-logging.js';
import { createCsrf } from './security/csrf.js';
import { rejectCrossSite } from './security/fetch-metadata.js';
import { createRateLimits } from './security/rate-limits.js';
import { createSessions } from './sessions/sessions.js';
import { responseLocals, securityHeaders } from './security/headers.js';

/** Largest import file accepted: a 50,000-row bank export fits with room to spare. */
const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** A JSON export of 50,000 transactions is about 16 MB; reading it back takes well under a second. */
const RESTORE_MAX_BYTES = 24 * 1024 * 1024;
/** 10,000 lines of date,currency,rate. */
const RATES_MAX_BYTES = 512 * 1024;

// express-openid-connect is CommonJS: its named exports are not visible to native ESM.
const { auth } = eoc;

import type { App, AppDeps } from './app-deps.js';

export type { App, AppDeps };

/** Builds the Express app. No I/O happens here: no listening, no connecting, no timers. */
export function createApp(deps: AppDeps): App {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // No ETag on pages: signed-in ones are no-store, so a hash of every page (a SHA-1 of the body,
  // about 2% of a page's time) would only fingerprint them. Static files keep theirs.
  app.set('etag', false);
  // Express's fallback error page shows stacks unless env is production. Our own handler answers
  // every error, but should anything slip past it, nothing leaks; view caching follows NODE_ENV.
  app.set('env', 'production');
  app.set('view cache', config.nodeEnv !== 'development');
  app.set('trust proxy', config.trustProxy);
  const keptPartial = configureViews(app, deps.paths.views);
  // Partials the same for everyone, served as cached fragments (below) rather than in every page.
  const fixedData = { 'currency-list': { currencies: CURRENCY_CHOICES } };
  const fixedPartial = fixedPartials(keptPartial, fixedData);

  // Wiring: repositories -> services -> guards and routes.
  const sessions = createSessions({ config, raw: deps.sessionStore, logger, response: app.response, ...(deps.sessionReadTimeoutMs !== undefined ? { readTimeoutMs: deps.sessionReadTimeoutMs } : {}) });
  const { names, store, access: session, layer: sessionLayer } = sessions;
  app.request.flash = flashMethod(session);
  const users = createUsersService(createUsersRepository(deps.db));
  const audit = createAuditService(createAuditRepository(deps.db), logger, () => deps.clock.now(), { refusalWindowMs: config.rateLimit.windowSeconds * 1000 });
  const guards = createGuards({ audit, session, mfaMaxAgeMinutes: config.mfaMaxAgeMinutes, mfaMode: config.mfaMode });
  const csrf = createCsrf(session, audit);
  const finance = createFinance(deps.db);
  // Every finance page: the member guards, then the member and their defaults loaded once.
  const member = [...guards.member, loadMember({ users, categories: finance.categories, clock: deps.clock })];
  const limits = createRateLimits(config.rateLimit, audit, deps.limiterStores);
  // Profile management through the identity provider (its APIs; the M2M application is optional).
  const { account, deletion, beforeSignIn } = createAccountManagement({
    config,
    issuerBaseUrl: deps.issuerBaseUrl,
    db: deps.db,
    users,
    sessions: store,
    logger,
    clock: deps.clock,
    mailer: deps.mailer ?? null,
    ...(deps.managementApi !== undefined ? { managementApi: deps.managementApi } : {}),
  });
  const verifyIdToken = createIdTokenVerifier({
    issuer: deps.issuerBaseUrl,
    clientId: config.clientId,
    ...(deps.jwksCooldownMs !== undefined ? { jwksCooldownMs: deps.jwksCooldownMs } : {}),
  });
  const oidc = oidcParams(
    config,
    store,
    sessionLayer.newIdFor,
    { afterCallback: createAfterCallback({ users, audit, store, rolesClaim: config.rolesClaim, verifyIdToken, beforeLogin: beforeSignIn }) },
    deps.issuerBaseUrl,
  );

  // The order every request goes through. Each layer is named (profiles and stack traces show it);
  // what only some paths need is mounted on those paths.
  // 1. Every response: request id and log line, CSP nonce and view defaults, security headers.
  app.use(requestLogging(logger));
  app.use(responseLocals);
  app.use(securityHeaders({ issuerOrigin: new URL(deps.issuerBaseUrl).origin, hsts: config.secureCookies }));

  // 2. What needs no session: static files, health checks and shared fragments. They must not create one.
  // Only paths that look like files reach the static middleware, which otherwise asks the disk
  // about every page request first.
  app.use(FRAGMENTS_MOUNT, fragmentRoutes(fixedPartial, Object.keys(fixedData)));
  const publicFiles = express.static(deps.paths.public, { index: false, maxAge: '1h' });
  app.use(function staticFiles(req, res, next) {
    if (/\.[a-z0-9]{1,5}$/i.test(req.path)) publicFiles(req, res, next);
    else next();
  });
  // Browsers ask for /favicon.ico on pages without an icon link (JSON, for instance).
  app.get('/favicon.ico', function faviconRedirect(_req, res) {
    res.redirect(301, '/favicon.svg');
  });
  app.use(onlyAt(['/healthz', '/readyz'], healthRoutes({ db: deps.db, issuerBaseUrl: deps.issuerBaseUrl, clock: deps.clock })));

  // 3. Rate limits before any work is done for the request; then bounded body parsing.
  app.use(['/login', '/callback', '/logout'], limits.auth);
  app.use(limits.posts);
  app.use(parseBodies());

  // 4. Back-channel logout (the provider calls it; no session, no CSRF token), then the
  // server-side session and the OIDC context.
  const backchannelLogout = backchannelLogoutRoute({
    issuer: deps.issuerBaseUrl,
    clientId: config.clientId,
    keys: verifyIdToken.keySet,
    // Token ages follow real time, like the session library's own timestamps.
    clock: systemClock,
    logger,
    onLogoutToken: createLogoutTokenHandler({ store, audit }),
  });
  app.use(onlyAt(['/backchannel-logout'], backchannelLogout));
  // The OIDC contexts (`req.oidc`, `res.oidc`) are made when first read: sign-in, sign-out, the callback, a step-up.
  oidcContexts(auth(oidc), app);
  app.use(sessionLayer.middleware);
  app.use(store.checkStore(() => new ServiceUnavailableError()));
  app.use(currentUser(session, config.rolesClaim));

  // 5. The callback, which carries no CSRF token (state, nonce and PKCE protect it), then CSRF for everything else.
  app.use(onlyAt(['/callback'], callbackRoutes({ callbackUrl: config.callbackUrl, session, transactionCookie: names.transaction })));
  app.use(callbackErrors(audit, config.socialConnections));
  // The import upload is multipart: parse it (signed in, size-capped) so the CSRF check can read its token.
  app.post('/import/preview', guards.requiresAuth, importUpload(IMPORT_MAX_BYTES));
  app.post('/data/restore', guards.requiresAuth, importUpload(RESTORE_MAX_BYTES));
  app.post('/rates/import', guards.requiresAuth, importUpload(RATES_MAX_BYTES));
  app.use(rejectCrossSite(config.baseUrl, audit));
  app.use(csrf.protect);
  app.use(flashMessages(session));

  // 6. Features, each under its own first path segment (one lookup, not a match per mount), then
  // the pages at the root: the front page, sign-in and sign-out.
  app.use(
    segmentMounts({
      '/dashboard': dashboardRoutes({ member, dashboard: createDashboardService({ finance, versions: createDashboardRepository(deps.db), limits: deps.dashboardCache }) }),
      '/transactions': [bulkRoutes({ member, finance, bulk: finance.bulk }), transactionRoutes({ member, finance })],
      '/accounts': accountRoutes({ member, finance, removal: finance.accountRemoval }),
      '/schedules': scheduleRoutes({ member, finance, schedules: finance.planning }),
      '/rules': ruleRoutes({ member, finance, apply: finance.applyRules }),
      '/payees': payeeRoutes({ member, payees: createPayeesRepository(deps.db) }),
      '/rates': rateRoutes({ member, rates: finance.rates }),
      '/budgets': budgetRoutes({ member, finance }),
      '/import': importRoutes({ member, finance, imports: finance.imports, batches: finance.importBatches, audit }),
      '/data': dataRoutes({ member, guards, data: createDataRepository(deps.db), categories: finance.categories, audit }),
      '/categories': categoryRoutes({ member, finance, removal: finance.categoryRemoval }),
      '/goals': goalRoutes({ member, finance }),
      '/api': apiRoutes({ member, finance }),
      '/profile': profileRoutes({ guards, profile: createProfileService(users, deps.sessionStore), account, audit, session }),
      '/account': accountManagementRoutes({
        guards,
        account,
        deletion,
        audit,
        passwordResetLimit: limits.passwordReset,
        clearSession: sessions.clear,
      }),
      '/admin': adminRoutes({ guards, admin: createAdminService(users, store, account), audit }),
      '/help': helpRoutes(),
      '/verify-email': verifyEmailRoutes(),
    }),
  );
  app.use('/', homeRoutes());
  app.use(
    '/',
    authRoutes({
      baseUrl: config.baseUrl,
      socialConnections: config.socialConnections,
      audit,
      mfaMaxAgeSeconds: guards.maxAgeSeconds,
      endCurrentSession: (req) => store.destroyCurrent(req),
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return Object.assign(app, {
    /**
     * Writes aggregated refusal counts, deletes audit events past retention and expired import
     * previews, and finishes account deletions whose local step failed.
     */
    async maintenance(opts: { final?: boolean; shared?: boolean } = {}) {
      const refusalSummaries = await audit.flushRefusals(opts.final === true);
      if (opts.shared === false) return { refusalSummaries, auditPruned: 0, importsExpired: 0, deletionsFinished: 0 };
      const auditPruned = await audit.prune(config.auditRetentionDays);
      const importsExpired = await finance.imports.deleteExpired(deps.clock.now());
      const deletionsFinished = await deletion.finishPending();
      return { refusalSummaries, auditPruned, importsExpired, deletionsFinished };
    },
  });
}
