import { todayOf, type Clock } from '../../clock/clock.js';
import type { Finance } from '../finance.js';
import { addDays, addMonths, daysInMonth, monthOf } from '../../money/dates.js';
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
  'Debt payments': 18000,
};

/**
 * Gives a demo user a living year up to `today` (by the app's clock, never the machine's):
 * salary, rent, groceries, bills and fun money; a savings account fed by a monthly transfer; a
 * credit card (with a limit) for eating out and fun, paid off by transfer each month; a grocery
 * run split between groceries and household things; a euro account filled by a transfer before
 * a trip; salary, rent and the savings transfer as schedules; budgets for every month, a savings
 * goal, a couple of uncategorised charges, and in the current month one duplicate charge and one
 * unusual spend for the coach to find, placed on days that have already happened, so the month
 * shows them on the 1st as on the 31st. Does nothing if the user has accounts.
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
  const savings = await finance.accounts.create(userSub, { name: 'Savings', currency: 'USD', type: 'savings', openingBalance: 500000, openingDate: opened }, now);
  const card = await finance.accounts.create(userSub, { name: 'Visa card', currency: 'USD', type: 'credit_card', openingBalance: 0, openingDate: opened, creditLimit: 300000 }, now);
  const euro = await finance.accounts.create(userSub, { name: 'Euro account', currency: 'EUR', type: 'checking', openingBalance: 12000, openingDate: opened }, now);

  const rand = random(20261129);
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const rows: TransactionInput[] = [];
  // What the bank has seen: everything but the last three days.
  const seenUpTo = addDays(today, -3);
  /** What went on the card each month, paid off by transfer early the next month. */
  const onCard = new Map<string, number>();
  const add = (month: string, day: number, description: string, amountMinor: number, category: string | null, more: Partial<TransactionInput> = {}) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const date = `${month}-${String(Math.min(day, daysInMonth(y, m))).padStart(2, '0')}`;
    const cleared = date <= seenUpTo ? 'cleared' : 'uncleared';
    if (date > today) return;
    const row: TransactionInput = { accountId: checking, date, description, amountMinor, categoryId: category === null ? null : cat(category), cleared, ...more };
    // The bank has seen both sides of an older transfer.
    if (row.transfer) row.transfer = { ...row.transfer, cleared };
    if (row.accountId === card) onCard.set(month, (onCard.get(month) ?? 0) + amountMinor);
    rows.push(row);
  };
  const transfer = (month: string, day: number, description: string, from: string, to: string, amountMinor: number, received = amountMinor) =>
    add(month, day, description, -amountMinor, null, { accountId: from, transfer: { accountId: to, amountMinor: received } });

  for (let i = months - 1; i >= 0; i--) {
    const month = addMonths(currentMonth, -i);
    add(month, 1, 'Acme Corp payroll', 485000, 'Salary');
    add(month, 2, 'Maple Street Apartments rent', -165000, 'Rent');
    transfer(month, 3, 'Transfer to savings', checking, savings, 50000);
    const lastMonth = onCard.get(addMonths(month, -1));
    if (lastMonth) transfer(month, 5, 'Visa card payment', checking, card, -lastMonth);
    add(month, 11, 'City Power & Water', -between(9000, 16000), 'Utilities');
    add(month, 14, 'Student loan payment', -18000, 'Debt payments');
    for (let w = 0; w < 4; w++) {
      const amount = between(6000, 13000);
      // One run a month also bought household things: split between two categories.
      const household = w === 2 ? between(1500, 3000) : 0;
      const parts = household ? { splits: [{ categoryId: cat('Groceries'), amountMinor: -(amount - household), memo: null }, { categoryId: cat('Shopping'), amountMinor: -household, memo: 'household' }] } : {};
      add(month, 4 + w * 7, ['FreshMart', 'Green Grocer', 'FreshMart', 'Corner Market'][w]!, -amount, 'Groceries', parts);
    }
    for (let k = 0; k < between(6, 10); k++) add(month, between(1, 28), k % 3 ? 'Metro transit' : 'Fuel Stop', -between(300, 4000), 'Transport');
    for (let k = 0; k < between(3, 7); k++) add(month, between(1, 28), ['Luigi Trattoria', 'Noodle Bar', 'Blue Bottle Coffee', 'Taco Stand'][k % 4]!, -between(1200, 6500), 'Dining out', { accountId: card });
    for (let k = 0; k < between(1, 3); k++) add(month, between(1, 28), ['Cinema City', 'Streamly subscription', 'Concert tickets'][k % 3]!, -between(1000, 5500), 'Entertainment', { accountId: card });
    for (let k = 0; k < between(1, 3); k++) add(month, between(1, 28), ['Online Store', 'Bookshop', 'Outdoor Gear'][k % 3]!, -between(2000, 9000), 'Shopping');
    if (rand() < 0.3) add(month, between(1, 28), 'Pharmacy', -between(1500, 6000), 'Health');
    if (i === 4 || i === 9) add(month, 20, 'Skyways airline', -between(40000, 90000), 'Travel');
    if (i === 4) {
      // Euros for the trip, then spent there: the euro account's own figures, never added to dollars.
      transfer(month, 18, 'Euros for the trip', checking, euro, 55000, 50000);
      add(month, 22, 'Hotel Lisboa', -32000, 'Travel', { accountId: euro });
      add(month, 23, 'Tasca do Chico', -4500, 'Dining out', { accountId: euro });
    }
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
  // A euro rate on the first of every month: the euro account's amounts are converted into dollars
  // at the rate of their own day on the dashboard, and its balance in the net worth of all accounts.
  await finance.rates.upsert(
    userSub,
    'USD',
    Array.from({ length: months }, (_, i) => ({ currency: 'EUR', date: `${addMonths(currentMonth, -(months - 1) + i)}-01`, rateE8: 107_000_000 + ((i * 37) % 9) * 250_000 })),
  );
  // Salary, rent and the savings transfer repeat: schedules from their next date after today.
  const nextOn = (day: number) => {
    const thisMonth = `${currentMonth}-${String(day).padStart(2, '0')}`;
    return thisMonth > today ? thisMonth : `${addMonths(currentMonth, 1)}-${String(day).padStart(2, '0')}`;
  };
  const monthly = { transferAccountId: null, frequency: 'months' as const, every: 1 };
  await finance.schedules.create(userSub, { ...monthly, accountId: checking, description: 'Acme Corp payroll', amountMinor: 485000, categoryId: cat('Salary'), anchorDay: 1, nextDate: nextOn(1) }, now);
  await finance.schedules.create(userSub, { ...monthly, accountId: checking, description: 'Maple Street Apartments rent', amountMinor: -165000, categoryId: cat('Rent'), anchorDay: 2, nextDate: nextOn(2) }, now);
  await finance.schedules.create(userSub, { ...monthly, accountId: checking, description: 'Transfer to savings', amountMinor: -50000, categoryId: null, transferAccountId: savings, anchorDay: 3, nextDate: nextOn(3) }, now);
  const [y, m] = addMonths(currentMonth, 10).split('-');
  await finance.goals.create(userSub, { name: 'Emergency fund', target: 1000000, saved: 420000, targetDate: `${y}-${m}-28`, currency: 'USD' }, now);
  return true;
}
