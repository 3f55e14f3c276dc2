import { keepable } from '../lib/freeze.js';

/** The areas of the main navigation: shown inline on a wide screen. */
const MAIN: ReadonlyArray<readonly [string, string]> = [
  ['/dashboard', 'Dashboard'],
  ['/transactions', 'Transactions'],
  ['/accounts', 'Accounts'],
  ['/budgets', 'Budgets'],
  ['/goals', 'Goals'],
  ['/import', 'Import'],
];
/** The rest, under More; Admin only for those with the admin role. */
const MORE: ReadonlyArray<readonly [string, string]> = [
  ['/schedules', 'Schedules'],
  ['/categories', 'Categories'],
  ['/rules', 'Rules'],
  ['/payees', 'Payees'],
  ['/rates', 'Rates'],
  ['/data', 'Data'],
  ['/profile', 'Profile'],
  ['/help', 'Help'],
];
const ADMIN: readonly [string, string] = ['/admin', 'Admin'];

/**
 * The signed-in navigation (views/partials/site-nav.ejs). Its markup depends only on whether the
 * person is an admin and which area is current, so each of those (2 kinds × 16: the 15 areas and none) is rendered
 * once and kept (`keptPartial` keeps markup per `keepable` data object); the layout drew it per request
 * (three loops, about a sixth of the layout's time). A path that is no area is "none current":
 * what a request's path can choose is bounded.
 */
export function siteNav(keptPartial: (name: string, data: object) => string): (user: { roles: readonly string[] }, currentPath: string) => string {
  const data = new Map<string, object>();
  const areas = new Set([...MAIN, ...MORE, ADMIN].map(([href]) => href));
  return function siteNavPartial(user, currentPath) {
    const admin = user.roles.includes('admin');
    const current = areas.has(currentPath) ? currentPath : '';
    const key = `${admin ? 'admin' : 'member'} ${current}`;
    let forKey = data.get(key);
    if (!forKey) {
      forKey = keepable({ main: MAIN, more: admin ? [...MORE, ADMIN] : MORE, current });
      data.set(key, forKey);
    }
    return keptPartial('partials/site-nav', forKey);
  };
}
