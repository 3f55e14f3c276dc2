/**
 * Benchmark: the signed-in dashboard of a user with 50,000 transactions, and importing 50,000
 * CSV rows. Runs the real app with the embedded provider on loopback; prints a table.
 *   npm run bench
 */
import autocannon from 'autocannon';
import { createFinance } from '../src/features/finance.js';
import { addMonths, monthOf, todayUtc } from '../src/features/money/dates.js';
import type { TransactionInput } from '../src/features/transactions/repository.js';
import { TestBrowser } from '../test/helpers/browser.js';
import { csrfTokenOf, MEMBER, signIn } from '../test/helpers/flows.js';
import { startStack } from '../test/helpers/stack.js';

const ROWS = 50_000;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);

async function main() {
  const stack = await startStack();
  const finance = createFinance(stack.database.db);
  const now = new Date();
  await finance.categories.ensureSeeded(MEMBER.sub, now);
  const categories = await finance.categories.list(MEMBER.sub);
  const account = await finance.accounts.create(MEMBER.sub, { name: 'Bench', currency: 'USD' }, now);
  const month = monthOf(todayUtc());
  const rows: TransactionInput[] = [];
  for (let i = 0; i < ROWS; i++) {
    const m = addMonths(month, -(i % 12));
    rows.push({ accountId: account, date: `${m}-${String((i % 28) + 1).padStart(2, '0')}`, description: `Shop ${i % 997}`, amountMinor: -((i * 7919) % 20000) - 100, categoryId: categories[i % categories.length]!.id });
  }
  await finance.transactions.insertMany(MEMBER.sub, rows, now);
  for (let i = 0; i < 12; i++) await finance.budgets.setMonth(MEMBER.sub, addMonths(month, -i), categories.slice(0, 8).map((c) => ({ categoryId: c.id, amount: 50000 })));

  const browser = new TestBrowser();
  const page = await signIn(browser, stack);
  const cookie = await browser.jar.getCookieString(stack.baseUrl);

  const results: Array<[string, string]> = [];
  for (const [name, path] of [['dashboard, 50,000 transactions', '/dashboard'], ['/api/summary, 50,000 transactions', '/api/summary']] as const) {
    for (const connections of [1, 10]) {
      const r = await autocannon({ url: `${stack.baseUrl}${path}`, connections, duration: DURATION_S, headers: { cookie, accept: 'text/html' } });
      if (r.non2xx > 0) throw new Error(`${path}: ${r.non2xx} non-2xx answers`);
      results.push([`${name}, ${connections} conn.`, `${r.requests.average.toFixed(0)} req/s · p50 ${r.latency.p50} ms · p99 ${r.latency.p99} ms (${DURATION_S} s)`]);
    }
  }

  // Importing 50,000 rows through the real upload, preview and confirmation.
  const lines = ['Date,Description,Amount'];
  for (let i = 0; i < ROWS; i++) lines.push(`2020-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},Import ${i},-${(i % 5000) + 1}.${String(i % 100).padStart(2, '0')}`);
  const form = new FormData();
  for (const [k, v] of Object.entries({ _csrf: csrfTokenOf(page), accountId: account, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) form.append(k, v);
  form.append('file', new Blob([lines.join('\n')]), 'bench.csv');
  let t = performance.now();
  const preview = await browser.request(`${stack.baseUrl}/import/preview`, { method: 'POST', body: form });
  const previewMs = performance.now() - t;
  const action = /action="(\/import\/[^"]+\/confirm)"/.exec(preview.body)![1]!;
  t = performance.now();
  await browser.post(`${stack.baseUrl}${action}`, { _csrf: csrfTokenOf(page) });
  const confirmMs = performance.now() - t;
  results.push(['import 50,000 CSV rows', `preview ${previewMs.toFixed(0)} ms · confirm ${confirmMs.toFixed(0)} ms`]);

  const width = Math.max(...results.map(([n]) => n.length));
  process.stdout.write(`\n${'measurement'.padEnd(width)} | result\n${'-'.repeat(width)}-|-${'-'.repeat(60)}\n`);
  for (const [n, v] of results) process.stdout.write(`${n.padEnd(width)} | ${v}\n`);
  await stack.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
