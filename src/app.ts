import express, { type Express } from 'express';
import eoc from 'express-openid-connect';
import type { Kysely } from 'kysely';
import { createAfterCallback } from './auth/after-callback.js';
import { loadCurrentUser } from './auth/current-user.js';
import { cookieNames, oidcParams } from './auth/oidc.js';
import { authRoutes } from './auth/routes.js';
import type { ResolvedConfig } from './config/config.js';
import type { Database } from './db/schema.js';
import { dashboardRoutes } from './features/dashboard/routes.js';
import { homeRoutes } from './features/home/routes.js';
import { createUsersRepository } from './features/users/repository.js';
import { createUsersService } from './features/users/service.js';
import { errorHandler, notFoundHandler } from './http/error-handlers.js';
import { ServiceUnavailableError } from './http/errors.js';
import { requestLogging } from './http/request-logging.js';
import type { Logger } from './logging/logger.js';
import { createCsrf } from './security/csrf.js';
import { noStoreWhenSignedIn, securityHeaders } from './security/headers.js';
import { sessionAccess } from './sessions/access.js';
import { GuardedSessionStore } from './sessions/guarded-store.js';
import type { UserSessionStore } from './sessions/types.js';

// express-openid-connect is CommonJS: its named exports are not visible to native ESM.
const { auth } = eoc;

export interface AppDeps {
  config: ResolvedConfig;
  /** The issuer to discover: the tenant's, or the embedded provider's once it listens. */
  issuerBaseUrl: string;
  db: Kysely<Database>;
  sessionStore: UserSessionStore;
  logger: Logger;
  paths: { views: string; public: string };
  /** How long a session read may take before the request answers 503. */
  sessionReadTimeoutMs?: number;
}

/** Builds the Express app. No I/O happens here: no listening, no connecting, no timers. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', deps.paths.views);

  const store = new GuardedSessionStore(deps.sessionStore, deps.sessionReadTimeoutMs ?? 2000);
  const session = sessionAccess(cookieNames(config.secureCookies).session);
  const users = createUsersService(createUsersRepository(deps.db));
  const csrf = createCsrf(session);

  app.use(requestLogging(logger));
  app.use(securityHeaders({ issuerOrigin: new URL(deps.issuerBaseUrl).origin, hsts: config.secureCookies }));
  app.use((_req, res, next) => {
    res.locals.user = null;
    res.locals.csrfToken = null;
    next();
  });
  // Static files before the OIDC middleware: they need no session and must not create one.
  app.use(express.static(deps.paths.public, { index: false, maxAge: '1h' }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));
  app.use(express.json({ limit: '32kb' }));

  app.use(store.track);
  app.use(auth(oidcParams(config, store, { afterCallback: createAfterCallback(users, config.rolesClaim) }, deps.issuerBaseUrl)));
  app.use(store.failOnStoreError(() => new ServiceUnavailableError()));
  app.use(loadCurrentUser(config.rolesClaim));
  app.use(noStoreWhenSignedIn);
  app.use(csrf.protect);
  app.use(csrf.exposeToken);

  app.use('/', homeRoutes());
  app.use('/', authRoutes(config.baseUrl));
  app.use('/dashboard', dashboardRoutes());

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
