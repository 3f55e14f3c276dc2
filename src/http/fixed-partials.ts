import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

/**
 * Partials whose output is the same for every request (the currency list: 162 options, 6.6% of
 * the profile page's CPU time under load when it was rendered per request). Views write
 * `<%- fixedPartial('currency-list') %>`; the partial is rendered with its fixed data on first use
 * and the HTML reused. With `cache` off (development) it is rendered every time, so edits show.
 */
export function fixedPartials(viewsDir: string, cache: boolean, partials: Record<string, Record<string, unknown>>): (name: string) => string {
  const rendered = new Map<string, string>();
  return function fixedPartial(name: string): string {
    const hit = rendered.get(name);
    if (hit !== undefined) return hit;
    const data = partials[name];
    if (!data) throw new Error(`no fixed partial is called ${name}`);
    const filename = path.join(viewsDir, 'partials', `${name}.ejs`);
    const html = ejs.render(fs.readFileSync(filename, 'utf8'), data, { filename });
    if (cache) rendered.set(name, html);
    return html;
  };
}
