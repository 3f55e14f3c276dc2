import crypto from 'node:crypto';
import { createYielder } from '../../lib/cooperative.js';
import { firstMatch, prepareRules } from './matching.js';
import type { RuleApplyRepository, RuleChange, RuleTarget } from './apply-repository.js';
import type { RulesRepository } from './repository.js';

/** Changes a preview lists; the rest are counted (all are applied). */
export const PREVIEW_CHANGES = 200;

export interface RulesPreview {
  changes: Array<RuleChange & { before: RuleTarget }>;
  total: number;
  /** A digest of every change: applying refuses when the changes are no longer what was previewed. */
  fingerprint: string;
}

/**
 * "Apply rules to existing transactions": every transaction (not transfers or split ones) is
 * run through the rules in order; the first that matches gives its category and, if it renames,
 * its payee. The preview lists what would change and writes nothing; applying recomputes the
 * changes and writes them only if they are still the ones previewed. Linear in transactions,
 * pausing for other requests between pages.
 */
export function createRulesApply(deps: { rules: RulesRepository; rows: RuleApplyRepository }) {
  async function compute(userSub: string) {
    const rules = prepareRules(await deps.rules.list(userSub));
    const all: Array<RuleChange & { before: RuleTarget }> = [];
    const hash = crypto.createHash('sha256');
    const y = createYielder();
    let after: { date: string; id: string } | null = null;
    if (rules.length === 0) return { all, fingerprint: hash.digest('base64url') };
    for (;;) {
      const page = await deps.rows.page(userSub, after);
      for (const t of page) {
        await y.pause();
        const rule = firstMatch(rules, t);
        if (!rule) continue;
        const description = rule.renameTo ?? t.description;
        if (rule.categoryId === t.categoryId && description === t.description) continue;
        all.push({ id: t.id, date: t.date, categoryId: rule.categoryId, description, before: t });
        hash.update(`${t.id}|${rule.categoryId}|${description}\n`);
      }
      if (page.length < deps.rows.pageSize) break;
      after = { date: page.at(-1)!.date, id: page.at(-1)!.id };
    }
    return { all, fingerprint: hash.digest('base64url') };
  }

  return {
    async preview(userSub: string): Promise<RulesPreview> {
      const { all, fingerprint } = await compute(userSub);
      return { changes: all.slice(0, PREVIEW_CHANGES), total: all.length, fingerprint };
    },

    /** Applies the previewed changes; null (nothing written) when they differ from the preview now. */
    async apply(userSub: string, fingerprint: string): Promise<number | null> {
      const { all, fingerprint: now } = await compute(userSub);
      if (now !== fingerprint) return null;
      await deps.rows.apply(userSub, all);
      return all.length;
    },
  };
}

export type RulesApply = ReturnType<typeof createRulesApply>;
