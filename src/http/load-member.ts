import type { RequestHandler } from 'express';
import { todayOf, type Clock } from '../clock/clock.js';
import type { CategoriesRepository } from '../features/categories/repository.js';
import { type DecimalStyle, DEFAULT_CURRENCY } from '../money/money.js';
import type { UsersService } from '../users/service.js';

/** The signed-in member and their defaults, loaded once per request for every finance page. */
export interface Member {
  sub: string;
  /** Main currency: the default for new accounts and the one the figures are shown in. */
  currency: string;
  displayName: string | null;
  /** How the member types amounts: 1,234.56 ('dot') or 1.234,56 ('comma'). */
  numberStyle: DecimalStyle;
  /** When this request happens, by the app's clock. */
  now: Date;
  /** Today's date (YYYY-MM-DD) by the app's clock. */
  today: string;
}

/**
 * Puts the member on `req.member` and `res.locals.member` once, after the member guards: their
 * stored preferences, the clock's now and today, and their starting categories (seeded on the
 * first finance page they open). Routes read these instead of repeating the lookups.
 */
export function loadMember(deps: { users: UsersService; categories: CategoriesRepository; clock: Clock }): RequestHandler {
  return async function loadMemberMiddleware(req, res, next) {
    const sub = req.user!.sub;
    const now = deps.clock.now();
    // The user's row says whether their categories exist; only a member without any is seeded (which checks again).
    const found = await deps.users.findMember(sub);
    if (!found?.hasCategories) await deps.categories.ensureSeeded(sub, now);
    const record = found?.record;
    const member: Member = { sub, currency: record?.currency ?? DEFAULT_CURRENCY, displayName: record?.displayName ?? null, numberStyle: record?.numberStyle ?? 'dot', now, today: todayOf(deps.clock) };
    req.member = member;
    res.locals.member = member;
    next();
  };
}
