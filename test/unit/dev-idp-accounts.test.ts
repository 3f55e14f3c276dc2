import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEMO_USERS, DevAccounts } from '../../src/dev-idp/accounts.js';

/** Event-loop turns that pass while `work` runs: none when it holds the loop from start to end. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const value = await work();
  running = false;
  return { value, turns };
}

describe('the development provider accounts', () => {
  it('seeds every demo account once, with passwords that sign in, hashing on the thread pool', async () => {
    const accounts = new DevAccounts(new BetterSqlite3(':memory:'));
    const { turns } = await turnsDuring(() => accounts.seed());
    expect(turns).toBeGreaterThan(0);
    await accounts.seed();
    for (const u of DEMO_USERS) {
      expect(accounts.findBySub(u.sub)?.email).toBe(u.email.toLowerCase());
      expect((await accounts.authenticate(u.email, u.password))?.sub).toBe(u.sub);
      expect(await accounts.authenticate(u.email, `${u.password}x`)).toBeUndefined();
    }
  });

  it('signs a person up with the password hashed off the event loop, and refuses an address taken meanwhile', async () => {
    const accounts = new DevAccounts(new BetterSqlite3(':memory:'));
    const input = { email: 'New.Person@example.com', name: 'New Person', password: 'a long enough password' };
    const { value: first, turns } = await turnsDuring(() => accounts.signUp(input));
    expect(turns).toBeGreaterThan(0);
    expect(first?.email).toBe('new.person@example.com');
    expect((await accounts.authenticate('new.person@example.com', input.password))?.sub).toBe(first?.sub);
    // Two sign-ups for one address at once: exactly one account.
    const [a, b] = await Promise.all([accounts.signUp({ ...input, email: 'twice@example.com' }), accounts.signUp({ ...input, email: 'TWICE@example.com' })]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await accounts.signUp(input)).toBeUndefined();
  });
});
