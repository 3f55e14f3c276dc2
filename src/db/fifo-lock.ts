/**
 * A lock handed over in the order it was asked for. Kysely's SQLite driver guards its one
 * connection with a mutex that wakes every waiter on each release and lets whoever runs first take
 * it, a newcomer included: under load a waiting request can lose that race again and again, and
 * each release costs a wake-up per waiter. Here each release passes the lock straight to the
 * longest waiter.
 */
export class FifoLock {
  private held = false;
  private readonly waiting: Array<() => void> = [];
  private head = 0;

  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  unlock(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      // Compact now and then so the array does not grow without bound.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.held = false;
  }

  /** Nobody holds the lock (and so nobody waits for it). */
  get free(): boolean {
    return !this.held;
  }

  /** How many are waiting (for tests and diagnostics). */
  get queued(): number {
    return this.waiting.length - this.head;
  }
}
