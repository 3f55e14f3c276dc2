import { todayOf, type Clock } from '../../clock/clock.js';
import type { Finance } from '../finance.js';
import { addDays, addMonths, daysInMonth, monthOf } from '../money/dates.js';
import type { TransactionInput } from '../transactions/repository.js';

/** A small deterministic random generator, so every fresh start shows the same demo year. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHLY_BUDGETS: Record<string, number> = {
  Rent: 165000,
  Groceries: 45000,
  Utilities: 15000,
  Transport: 12000,
  Health: 8000,
  'Dining out': 20000,
  Entertainment: 10000,
  Shopping: 20000,
  Travel: 15000,
  // Saving exactly the plan shows "fully used", not "over".
  Savings: 50000,
  'Debt payments': 18000,
};

/**
 * Gives a demo user a living year up to `today` (by the app's clock, never the machine's):
 * salary, rent, groceries, bills and fun money, a savings transfer, budgets for every month, a
 * savings goal, a couple of uncategorised charges, and in the current month one duplicate charge
 * and one unusual spend for the coach to find, placed on days that have already happened, so the
 * month shows them on the 1st as on the 31st. Does nothing if the user has accounts.
 */
export async function seedDemoData(finance: Finance, userSub: string, clock: Clock, opts: { months?: number } = {}): Promise<boolean> {
  if ((await finance.accounts.list(userSub, { includeArchived: true })).length > 0) return false;
  const now = clock.now();
  const today = todayOf(clock);
  const todayDay = Number(today.slice(8, 10));
  await finance.categories.ensureSeeded(userSub, now);
  const categories = new Map((await finance.categories.list(userSub)).map((c) => [c.name, c.id]));
  const cat = (name: string) => categories.get(name) ?? null;
  const months = opts.months ?? 12;
  const currentMonth = monthOf(today);
  const opened = `${addMonths(currentMonth, -(months - 1))}-01`;
  const checking = await finance.accounts.create(userSub, { name: 'Everyday checking', currency: 'USD', type: 'checking', openingBalance: 240000, openingDate: opened }, now);
  await finance.accounts.create(userSub, { name: 'Savings', currency: 'USD', type: 'savings', openingBalance: 500000, openingDate: opened }, now);

  const rand = random(20261129);
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const rows: TransactionInput[] = [];
  // What the bank has seen: everything but the last three days.
  const seenUpTo = addDays(today, -3);
  const add = (month: string, day: number, description: string, amountMinor: number, category: string | null) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const date = `${month}-${String(Math.min(day, daysInMonth(y, m))).padStart(2, '0')}`;
    const cleared = date <= seenUpTo ? 'cleared' : 'uncleared';
    if (date <= today) rows.push({ accountId: checking, date, description, amountMinor, categoryId: category === null ? null : cat(category), cleared });
  };

  for (let i = months - 1; i >= 0; i--) {
    const month = addMonths(currentMonth, -i);
    add(month, 1, 'Acme Corp payroll', 485000, 'Salary');
    add(month, 2, 'Maple Street Apartments rent', -165000, 'Rent');
    add(month, 3, 'Transfer to savings', -50000, 'Savings');
    add(month, 11, 'City Power & Water', -between(9000, 16000), 'Utilities');
    add(month, 14, 'Student loan payment', -18000, 'Debt payments');
    for (let w = 0; w < 4; w++) add(month, 4 + w * 7, ['FreshMart', 'Green Grocer', 'FreshMart', 'Corner Market'][w]!, -between(6000, 13000), 'Groceries');
    for (let k = 0; k < between(6, 10); k++) add(month, between(1, 28), k % 3 ? 'Metro transit' : 'Fuel Stop', -between(300, 4000), 'Transport');
    for (let k = 0; k < between(3, 7); k++) add(month, between(1, 28), ['Luigi Trattoria', 'Noodle Bar', 'Blue Bottle Coffee', 'Taco Stand'][k % 4]!, -between(1200, 6500), 'Dining out');
    for (let k = 0; k < between(1, 3); k++) add(month, between(1, 28), ['Cinema City', 'Streamly subscription', 'Concert tickets'][k % 3]!, -between(1000, 5500), 'Entertainment');
    for (let k = 0; k < between(1, 3); k++) add(month, between(1, 28), ['Online Store', 'Bookshop', 'Outdoor Gear'][k % 3]!, -between(2000, 9000), 'Shopping');
    if (rand() < 0.3) add(month, between(1, 28), 'Pharmacy', -between(1500, 6000), 'Health');
    if (i === 4 || i === 9) add(month, 20, 'Skyways airline', -between(40000, 90000), 'Travel');
    if (i === 6) add(month, 15, 'Freelance design work', 60000, 'Other income');
  }
  // For the coach to notice this month, on days already past: a charge that went through twice,
  // an unusual spend, and a charge nobody has categorised yet.
  const soon = (day: number) => Math.min(day, todayDay);
  add(currentMonth, soon(5), 'Blue Bottle Coffee', -645, 'Dining out');
  add(currentMonth, soon(6), 'Blue Bottle Coffee', -645, 'Dining out');
  add(currentMonth, soon(3), 'Outdoor Gear', -48900, 'Shopping');
  add(currentMonth, soon(2), 'SQ *MARKET STALL 0412', -1850, null);
  add(addMonths(currentMonth, -1), 18, 'PAYPAL *TRANSFER', -4200, null);

  await finance.transactions.insertMany(userSub, rows, now);
  for (let i = months - 1; i >= 0; i--) {
    await finance.budgets.setMonth(
      userSub,
      addMonths(currentMonth, -i),
      'USD',
      Object.entries(MONTHLY_BUDGETS).flatMap(([name, amount]) => (cat(name) ? [{ categoryId: cat(name)!, amount }] : [])),
    );
  }
  const [y, m] = addMonths(currentMonth, 10).split('-');
  await finance.goals.create(userSub, { name: 'Emergency fund', target: 1000000, saved: 420000, targetDate: `${y}-${m}-28`, currency: 'USD' }, now);
  return true;
}
