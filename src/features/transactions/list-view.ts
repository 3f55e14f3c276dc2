import type { Member } from '../../http/load-member.js';
import { plural } from '../../lib/text.js';
import type { Finance } from '../finance.js';
import { dateBounds, isFiltered, listHref, PAGE_SIZE, periodLabel, queryParams, SORTS, type ListQuery, type Sort } from './list-query.js';
import type { PageFilter } from './repository.js';
import { transactionView } from './view.js';

type Choices = Awaited<ReturnType<Finance['choices']>>;

/** The repository's filter for a list query (an account or category id that is not the member's matches nothing). */
export function filterOf(q: ListQuery): PageFilter {
  return {
    ...dateBounds(q),
    ...(q.accountId ? { accountId: q.accountId } : {}),
    ...(q.category === 'none' ? { categoryId: null } : q.category ? { categoryId: q.category } : {}),
    ...(q.cleared ? { cleared: q.cleared } : {}),
    ...(q.search ? { search: q.search } : {}),
  };
}

/** Page numbers to link: the first, the last, and two either side of the current one; null marks a gap. */
export function pageWindow(page: number, pages: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - page) <= 2) out.push(n);
    else if (out.at(-1) !== null) out.push(null);
  }
  return out;
}

/** One page of the transactions list with its count, page links, sort links and the words for an empty result. */
export async function listPage(finance: Finance, member: Member, q: ListQuery, ctx: Choices) {
  const filter = filterOf(q);
  const count = await finance.transactions.count(member.sub, filter);
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const rows = count === 0 ? [] : await finance.transactions.search(member.sub, filter, { sort: q.sort, dir: q.dir }, (page - 1) * PAGE_SIZE, PAGE_SIZE);
  const current = { ...q, page };
  const sortLink = (s: Sort) => {
    const dir = q.sort === s ? (q.dir === 'asc' ? 'desc' : 'asc') : s === 'payee' ? 'asc' : 'desc';
    return { href: listHref(current, { sort: s, dir, page: '1' }), sorted: q.sort === s ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none' };
  };
  const first = (page - 1) * PAGE_SIZE + 1;
  return {
    q: current,
    count,
    heading: `${plural(count, 'transaction')} ${isFiltered(q) ? 'found in' : 'in'} ${periodLabel(q)}`,
    range: count > PAGE_SIZE ? `Showing ${first.toLocaleString('en-US')}–${Math.min(count, page * PAGE_SIZE).toLocaleString('en-US')}` : '',
    empty: count === 0 ? (isFiltered(q) ? 'No transactions match this search and these filters.' : `No transactions in ${periodLabel(q)} yet. Add one below, or import a file.`) : '',
    filtered: isFiltered(q),
    rows: rows.map((t) => transactionView(t, ctx)),
    pages,
    pageLinks: pageWindow(page, pages).map((n) => (n === null ? null : { n, href: listHref(current, { page: String(n) }), current: n === page })),
    prev: page > 1 ? listHref(current, { page: String(page - 1) }) : null,
    next: page < pages ? listHref(current, { page: String(page + 1) }) : null,
    sorts: Object.fromEntries(SORTS.map((s) => [s, sortLink(s)])) as Record<Sort, ReturnType<typeof sortLink>>,
    /** The filter as hidden fields of the bulk form ("everything this filter matches"). */
    filterFields: queryParams({ ...current, sort: 'date', dir: 'desc', page: 1 }),
    /** Where to come back to after a change made from this page. */
    here: listHref(current),
  };
}
