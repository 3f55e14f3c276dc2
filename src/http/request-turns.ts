import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Requests take turns: one request is started per event-loop turn, first come first served.
 *
 * Why: since libuv 1.45 (Node 20), a listening socket accepts one connection per loop turn
 * (libuv/libuv#3696; nodejs/performance#95). Node starts every request that is ready in the same
 * turn, so when the app is saturated a turn holds the work of every open connection (50 of them:
 * about 60 ms here), and the n-th connection of a burst waits n such turns before it is even
 * accepted. That was the benchmark's tail: measured inside the app, the first request on each of
 * 50 new connections waited up to 2 s before it was accepted, while every later request waited
 * 200 ms at most. Starting one request per turn makes a turn one request long, so a new
 * connection waits for about one request, not for everyone's.
 *
 * A request started runs to its first wait on real I/O in its turn (SQLite answers within the
 * same turn). Waiting requests are bounded: past `maxWaiting` the app answers 503 at once, with
 * Retry-After, rather than queueing without end; one whose client left while it waited is dropped.
 */
export interface RequestTurnsOptions {
  /** The most requests waiting for their turn; more are refused with 503. */
  maxWaiting: number;
  /** Told about each refused request. */
  onRefused?: (req: IncomingMessage) => void;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function requestTurns(handler: RequestListener, o: RequestTurnsOptions): RequestListener & { waiting(): number } {
  // A FIFO over an array: `head` moves on, and the array is reset whenever it empties.
  let queue: Array<[IncomingMessage, ServerResponse] | undefined> = [];
  let head = 0;
  let scheduled = false;

  const nextTurn = () => {
    const entry = queue[head];
    queue[head++] = undefined;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    scheduled = head < queue.length;
    // The next request gets the next turn: setImmediate from inside a check-phase callback runs
    // after the following poll, where one more connection can be accepted.
    if (scheduled) setImmediate(nextTurn);
    // A client that gave up while waiting (its connection is gone) costs nothing more.
    if (entry && !entry[0].socket?.destroyed) handler(entry[0], entry[1]);
  };

  const listener = function requestTurnsListener(req: IncomingMessage, res: ServerResponse) {
    if (queue.length - head >= o.maxWaiting) {
      o.onRefused?.(req);
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end('The app is busy. Please try again in a moment.\n');
      return;
    }
    queue.push([req, res]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(nextTurn);
    }
  };
  return Object.assign(listener, { waiting: () => queue.length - head });
}
