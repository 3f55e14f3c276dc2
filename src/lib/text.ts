/** "1 transaction", "3 transactions": a count with its noun (regular plurals; pass `many` otherwise). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
