import ejs from 'ejs';
import type { Express } from 'express';
import { keptPartials } from './fixed-partials.js';
import { fragmentPath } from './fragments.js';
import { siteNav } from './site-nav.js';
import { viewHelpers } from './view-helpers.js';

/**
 * EJS as the app's view engine (cached unless `view cache` is off), and what every view may use:
 * the formatting helpers, kept partials, the site's navigation and the shared fragments' paths.
 * Returns the kept-partial renderer, which the shared fragments are drawn with too.
 */
export function configureViews(app: Express, viewsDir: string): (name: string, data: object) => string {
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);
  // Includes name their view from the views folder ('/partials/…'), which EJS resolves from `root`
  // without asking the file system whether a relative path exists, on every include of every render.
  // EJS copies a template's locals into an object with no prototype twice per template (once
  // for `include`, once on entry), so that `locals` never offers what Object.prototype holds. The
  // page's locals are copied so here, once, and EJS is told not to copy again on entry; every
  // include still gets its own copy from EJS, with no prototype either (test/unit/app-layers).
  const viewOptions = { root: viewsDir, views: [viewsDir], cache: app.enabled('view cache'), unsafePrototypeLocals: true };
  app.engine('ejs', function renderEjsView(file: string, data: object, done: (err: Error | null, html?: string) => void) {
    ejs.renderFile(file, Object.assign(Object.create(null) as object, data), viewOptions, done);
  });
  const keptPartial = keptPartials(viewsDir, app.enabled('view cache'), viewHelpers);
  Object.assign(app.locals, viewHelpers, { keptPartial, siteNav: siteNav(keptPartial), fragmentPath });
  return keptPartial;
}
