import { describe, expect, it } from 'vitest';
import { FifoLock } from '../../src/db/fifo-lock.js';

describe('the SQLite connection lock', () => {
  it('hands the lock to waiters in the order they asked, and a newcomer never overtakes them', async () => {
    const lock = new FifoLock();
    const order: string[] = [];
    await lock.lock();
    const waiters = ['a', 'b', 'c'].map((name) => lock.lock().then(() => order.push(name)));
    expect(lock.queued).toBe(3);
    lock.unlock();
    // Someone arriving right after a release queues behind the three.
    const late = lock.lock().then(() => order.push('late'));
    await waiters[0];
    lock.unlock();
    await waiters[1];
    lock.unlock();
    await waiters[2];
    lock.unlock();
    await late;
    lock.unlock();
    expect(order).toEqual(['a', 'b', 'c', 'late']);
    expect(lock.queued).toBe(0);
    // Free again: taken at once.
    await lock.lock();
    lock.unlock();
  });

  it('serves 5,000 waiters each once, in order', async () => {
    const lock = new FifoLock();
    const served: number[] = [];
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        lock.lock().then(async () => {
          served.push(i);
          await Promise.resolve();
          lock.unlock();
        }),
      ),
    );
    expect(served).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
