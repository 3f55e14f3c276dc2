import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { KEPT_MARKUP, keepable } from '../lib/freeze.js';

/**
 * Partials whose output is the same for every request (the currency list: 162 options, 6.6% of
 * the profile page's CPU time under load when it was rendered per request). The shared fragments
 * (http/fragments.ts) serve them as `fixedPartial('currency-list')`; each is a kept partial of
 * `partials/` over its fixed (frozen) data, so it is rendered on first use and the HTML reused, or
 * every time with `cache` off (development), so edits show.
 */
export function fixedPartials(keptPartial: (name: string, data: object) => string, partials: Record<string, Record<string, unknown>>): (name: string) => string {
  const fixed = new Map(Object.entries(partials).map(([name, data]) => [name, keepable({ ...data })]));
  return function fixedPartial(name: string): string {
    const data = fixed.get(name);
    if (!data) throw new Error(`no fixed partial is called ${name}`);
    return keptPartial(`partials/${name}`, data);
  };
}

/**
 * Partials rendered once per kept data object: the dashboard's month (its figures, tables and
 * charts) is drawn from figures the dashboard keeps while the ledger is unchanged
 * (features/dashboard/service.ts), so its markup is kept with them and goes when they go. Views
 * write `<%- keptPartial('dashboard/_details', figures) %>`. Kept markup must hold nothing of the
 * request or session (a CSRF token, a nonce): the dashboard draws "Coming up" per request.
 * Only data made `keepable` is kept (what a cache hands out); anything else, and everything with
 * `cache` off (development), is rendered every time. `helpers` (the views' formatting helpers) are
 * offered to every kept partial beside its data.
 */
export function keptPartials(viewsDir: string, cache: boolean, helpers: Readonly<Record<string, unknown>> = {}): (name: string, data: object) => string {
  const templates = new Map<string, ejs.TemplateFunction>();
  return function keptPartial(name: string, data: object): string {
    const kept = cache ? (data as { [KEPT_MARKUP]?: Map<string, string> })[KEPT_MARKUP] : undefined;
    const hit = kept?.get(name);
    if (hit !== undefined) return hit;
    let template = cache ? templates.get(name) : undefined;
    if (!template) {
      const filename = path.join(viewsDir, `${name}.ejs`);
      // With `cache`, the partials it includes are compiled once too (EJS keeps them by file name).
      template = ejs.compile(fs.readFileSync(filename, 'utf8'), { filename, root: viewsDir, cache });
      if (cache) templates.set(name, template);
    }
    const html = template({ ...helpers, ...data });
    if (kept) {
      // EJS builds its output by appending, so the markup is a rope of thousands of small strings:
      // the dashboard month's 30,000 characters took 109 KB so, 64 KB as one flat string. Reading
      // a character makes V8 flatten the rope in place, before it is kept.
      html.charCodeAt(0);
      kept.set(name, html);
    }
    return html;
  };
}
