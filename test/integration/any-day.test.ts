import { monthLabel } from '../../src/money/dates.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataRepository } from '../../src/features/data/repository.js';
import { seedDemoData } from '../../src/features/demo/seed.js';
import type { Finance } from '../../src/features/finance.js';
import { addMonths } from '../../src/money/dates.js';
import type { TestBrowser } from '../helpers/browser.js';
import { MEMBER } from '../helpers/flows.js';
import { useMemberStack, type Stack } from '../helpers/stack.js';

const ctx = useMemberStack();
let stack: Stack;
let finance: Finance;
let member: TestBrowser;
beforeAll(() => void ({ stack, finance, browser: member } = ctx));

/** The awkward days: the 1st and 5th (the seed once placed this month's charges after them), month ends, a leap day, the year's end. */
const DAYS = ['2027-03-01', '2027-03-05', '2027-02-28', '2028-02-29', '2026-12-31'];

describe.each(DAYS)('on %s', (today) => {
  beforeAll(async () => {
    stack.clock.set(`${today}T09:30:00Z`);
    await createDataRepository(stack.database.db).deleteEverything(MEMBER.sub);
    expect(await seedDemoData(finance, MEMBER.sub, stack.clock)).toBe(true);
  });

  it('the demo dashboard shows this month to date with its duplicate charge, unusual spend and uncategorized money, and no nonsense figures', async () => {
    const dash = await member.get(`${stack.baseUrl}/dashboard`);
    expect(dash.status).toBe(200);
    const month = today.slice(0, 7);
    expect(dash.body).toContain(`Figures cover ${month}-01 to ${month}`);
    expect(dash.body).toContain(', to date, in USD.');
    expect(dash.body).toContain('Possible duplicate charge: <strong>Blue Bottle Coffee</strong>');
    expect(dash.body).toMatch(/<strong>Shopping<\/strong>: \$[\d,.]+ is unusually high/);
    // Early in the month nothing else is "unusual": rent not paid yet is not a low outlier.
    expect(dash.body.match(/is unusually high/g)).toHaveLength(1);
    expect(dash.body).toMatch(/transactions?, \$[\d,.]+, ha(s|ve) no category/);
    for (const nonsense of ['NaN', 'Infinity', '-$0.00', 'undefined']) expect(dash.body).not.toContain(nonsense);
  });

  it('the coach keeps its invariants this month and in the year before it', async () => {
    for (let i = 0; i < 12; i++) {
      const month = addMonths(today.slice(0, 7), -i);
      const res = await member.request(`${stack.baseUrl}/api/summary?month=${month}`);
      expect(res.status).toBe(200);
      const s = JSON.parse(res.body) as {
        expenses: number;
        income: number;
        savingsRate: number | null;
        categories: Array<{ group: string; spent: number; budget: number; carried: number; available: number }>;
        uncategorized: { count: number; spent: number };
      };
      const spending = s.categories.filter((c) => c.group === 'need' || c.group === 'want');
      expect(s.expenses).toBe(spending.reduce((sum, c) => sum + c.spent, 0) + s.uncategorized.spent);
      for (const c of s.categories) expect(c.available).toBe(c.budget + c.carried - c.spent);
      if (s.savingsRate !== null) expect(Math.abs(s.savingsRate)).toBeLessThanOrEqual(1);
    }
  });

  it('offers today as the date of a new transaction and this month in the list', async () => {
    const page = await member.get(`${stack.baseUrl}/transactions`);
    expect(page.body).toContain(`value="${today}"`);
    expect(page.body).toContain(`in ${monthLabel(today.slice(0, 7))}</h2>`);
  });
});
