/** The load run's people: written into the development provider's store, signed in, given an account. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DevAccounts } from '../src/dev-idp/accounts.js';
import { TestBrowser } from '../test/helpers/browser.js';
import { csrfTokenOf, signIn } from '../test/helpers/flows.js';
import type { Stack } from '../test/helpers/stack.js';

const PASSWORD = 'Load-run-password-2026';

export interface Person {
  email: string;
  sub: string;
  cookie: string;
  token: string;
  accountId: string;
  categoryId: string;
  today: string;
  /** What the answers say: rows added (by add or import), their sum, the last budget saved. */
  rows: number;
  sumMinor: number;
  added: Array<{ id: string | null; amountMinor: number }>;
  budgetMinor: number | null;
  imported: boolean;
  edits: number;
}

/** The provider's accounts, written before it starts: one password hash shared by all (scrypt is slow on purpose). */
export async function createPeople(dataDir: string, n: number): Promise<Array<{ email: string; sub: string }>> {
  const dir = path.join(dataDir, 'dev-idp');
  fs.mkdirSync(dir, { recursive: true });
  const sqlite = new BetterSqlite3(path.join(dir, 'idp.sqlite'));
  const accounts = new DevAccounts(sqlite);
  const first = (await accounts.signUp({ email: 'load-0@example.com', name: 'Load 0', password: PASSWORD }))!;
  const hash = (sqlite.prepare('SELECT password_hash FROM accounts WHERE sub = ?').get(first.sub) as { password_hash: string }).password_hash;
  const people = [{ email: first.email, sub: first.sub }];
  const insert = sqlite.prepare("INSERT INTO accounts (sub, email, name, password_hash, email_verified, roles, connection) VALUES (?, ?, ?, ?, 1, '[]', 'Username-Password-Authentication')");
  for (let i = 1; i < n; i++) {
    const person = { email: `load-${i}@example.com`, sub: `auth0|load${crypto.randomBytes(8).toString('hex')}` };
    insert.run(person.sub, person.email, `Load ${i}`, hash);
    people.push(person);
  }
  sqlite.prepare('UPDATE accounts SET email_verified = 1').run();
  sqlite.close();
  return people;
}

export async function setUp(base: string, idpPort: number, who: { email: string; sub: string }, i: number): Promise<Person> {
  const browser = new TestBrowser();
  await signIn(browser, { baseUrl: base, idp: { issuer: `http://localhost:${idpPort}` } } as unknown as Stack, { email: who.email, password: PASSWORD, name: '', sub: who.sub });
  const accounts = await browser.get(`${base}/accounts`);
  const created = await browser.post(`${base}/accounts`, { _csrf: csrfTokenOf(accounts), name: `Load checking ${i}`, currency: 'USD', type: 'checking' });
  if (created.status !== 200) throw new Error(`creating an account answered ${created.status}`);
  const page = await browser.get(`${base}/transactions`);
  const form = page.body.slice(page.body.indexOf('id="add-transaction"'));
  const accountId = /<option value="([^"]+)"[^>]*selected/.exec(form)?.[1];
  const budgets = await browser.get(`${base}/budgets`);
  const categoryId = /name="amount_([^"]+)"/.exec(budgets.body)?.[1];
  if (!accountId || !categoryId) throw new Error('no account or budget category to use');
  return {
    ...who,
    cookie: await browser.jar.getCookieString(base),
    token: csrfTokenOf(page),
    accountId,
    categoryId,
    today: /name="date"[^>]*value="(\d{4}-\d\d-\d\d)"/.exec(form)![1]!,
    rows: 0,
    sumMinor: 0,
    added: [],
    budgetMinor: null,
    imported: false,
    edits: 0,
  };
}

/** The values a form would send as it stands: inputs, checked radios, selected options, textareas. */
export function formFields(html: string, marker: string): Record<string, string> | null {
  const at = html.indexOf(marker);
  if (at < 0) return null;
  const form = html.slice(at, html.indexOf('</form>', at));
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name || (/type="(radio|checkbox)"/.test(attrs) && !/\bchecked\b/.test(attrs))) continue;
    fields[name] = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
  }
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]!] = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!)?.[1] ?? '';
  for (const m of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[1]!] = m[2]!;
  const decode = (v: string) => v.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, decode(v)]));
}
