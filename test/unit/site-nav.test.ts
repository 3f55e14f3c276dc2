import { describe, expect, it } from 'vitest';
import { keptPartials } from '../../src/http/fixed-partials.js';
import { siteNav } from '../../src/http/site-nav.js';
import { appPaths } from '../../src/paths.js';

const member = { roles: ['member'] };
const admin = { roles: ['member', 'admin'] };
const current = (html: string) => [...html.matchAll(/href="([^"]+)" aria-current="page"/g)].map((m) => m[1]);

describe('the signed-in navigation', () => {
  it('marks the current area in both menus, and shows Admin only to admins', () => {
    const nav = siteNav(keptPartials(appPaths().views, true));
    const html = nav(member, '/budgets');
    expect(current(html)).toEqual(['/budgets', '/budgets']);
    expect(html).not.toContain('href="/admin"');
    expect((html.match(/<li>/g) ?? []).length).toBe(2 * 14 + 1);
    const forAdmin = nav(admin, '/admin');
    expect(current(forAdmin)).toEqual(['/admin', '/admin']);
  });

  it('marks nothing on a path that is no area, and keeps one markup per kind of member and area', () => {
    const kept = keptPartials(appPaths().views, true);
    const dataSeen = new Set<object>();
    const nav = siteNav((name, data) => {
      expect(Object.isFrozen(data)).toBe(true);
      dataSeen.add(data);
      return kept(name, data);
    });
    const first = nav(member, '/transactions/abc/edit');
    expect(current(first)).toEqual([]);
    for (let i = 0; i < 50; i++) expect(nav(member, `/no-such-page-${i}`)).toBe(first);
    expect(nav(member, '/profile')).not.toBe(first);
    // One frozen data object (so one kept markup) per kind of member and area, whatever the paths.
    expect(dataSeen.size).toBe(2);
  });

  it('keeps at most 32 markups: two kinds of member, each with the 15 areas or none current', () => {
    const kept = keptPartials(appPaths().views, true);
    const dataSeen = new Set<object>();
    const nav = siteNav((name, data) => {
      dataSeen.add(data);
      return kept(name, data);
    });
    const areas = ['/dashboard', '/transactions', '/accounts', '/budgets', '/goals', '/import', '/schedules', '/categories', '/rules', '/payees', '/rates', '/data', '/profile', '/help', '/admin'];
    for (const user of [member, admin]) for (const path of [...areas, '/', '/nowhere', '/transactions/x/edit']) nav(user, path);
    expect(dataSeen.size).toBe(32);
  });
});
