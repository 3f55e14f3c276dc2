import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withFields } from '../../src/lib/objects.js';

/**
 * Whether objects share V8's hidden class, asked of the engine itself (`%HaveSameMap`, a natives
 * syntax flag of a child process): an object with a class of its own leaves that class in old
 * space, where only a full collection clears it.
 */
function sameMaps(code: string): Record<string, boolean> {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, boolean>;
}

describe('objects built per row', () => {
  it('withFields gives a new object with the base fields and the added ones, the base untouched', () => {
    const base = { id: 'a', amount: 1 };
    const made = withFields(base, { amount: 2, label: 'x' });
    expect(made).toEqual({ id: 'a', amount: 2, label: 'x' });
    expect(Object.keys(made)).toEqual(['id', 'amount', 'label']);
    expect(base).toEqual({ id: 'a', amount: 1 });
  });

  it('share one hidden class when made by withFields, and so do the transactions list rows', () => {
    const seen = sameMaps(`
      import { withFields } from './src/lib/objects.ts';
      import { transactionView } from './src/features/transactions/view.ts';
      const row = (i) => ({ id: 'id' + i, accountId: 'a', date: '2026-01-0' + (i % 9 + 1), description: 'd' + i, amountMinor: -i, categoryId: null, importedId: null, memo: null, cleared: 'uncleared', transfer: null, splits: [] });
      const ctx = { accounts: [{ id: 'a', name: 'Checking', currency: 'USD' }], categories: [] };
      const views = [];
      for (let i = 0; i < 2000; i++) views.push(transactionView(row(i), ctx), withFields(row(i), { extra: i }));
      console.log(JSON.stringify({
        views: %HaveSameMap(views[3998], views[3996]),
        withFields: %HaveSameMap(views[3999], views[3997]),
      }));
    `);
    expect(seen).toEqual({ views: true, withFields: true });
  });
});
