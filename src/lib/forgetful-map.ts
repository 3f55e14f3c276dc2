/**
 * A memo that forgets everything once it holds `max` entries and a new key arrives: for values
 * that are cheap enough to compute again and keyed by what requests send, so nobody can grow it
 * without bound. Clearing costs nothing per lookup, unlike keeping a recency order.
 */
export class ForgetfulMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}
