import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Requests take turns while new connections are coming in or a long task is giving way, and run
 * at once the rest of the time.
 *
 * Why turns: since libuv 1.45 (Node 20), a listening socket accepts one connection per loop turn
 * (libuv/libuv#3696; nodejs/performance#95). Node starts every request that is ready in the same
 * turn, so when the app is saturated a turn holds the work of every open connection (50 of them:
 * about 60 ms here), and the n-th connection of a burst waits n such turns before it is even
 * accepted. Measured inside the app, the first request on each of 50 new connections waited up
 * to 2 s before it was accepted. Starting one request per turn makes a turn one request long, so
 * a new connection waits for about one request, not for everyone's.
 *
 * Why only then: a request that waits for its turn has already been read and parsed, and its
 * objects live on while it waits (by Little's law, as long as the open connections take to be
 * served once: 20-30 ms at 50 connections). That outlives the young generation's collections,
 * so they were copied into the old space, and the full collections that clear it out made the
 * tail (at 50 connections, with turns all the time, 9 times the bytes promoted and 3.5 times
 * the full collections of requests run at once). A request that is not read stays in the
 * kernel's buffer, costing nothing.
 *
 * So turns start when a connection is accepted (the server's `connection` event, `accepted`) or
 * when a long task (an import, a restore) gives way between its slices (lib/cooperative.ts,
 * `shorten`): without turns, such a task would get one slice per loop turn of every open
 * connection, and hold the rows it has read for that long. Turns end at the first turn in which
 * neither happened: the waiting requests then all run, in order, each in an immediate of its own,
 * and the next ones run as they arrive.
 *
 * New connections first: while connections keep being accepted, a turn starts no request that has
 * waited less than `acceptFirstMs`. A burst of new connections (a client opening 50 at once) is
 * then accepted in turns of an accept each (tens of microseconds), not of an accept and a request
 * each (most of a millisecond); the requests that came meanwhile then run together. Started one a
 * turn instead, every request that came during the burst waited for all of the burst's turns, and
 * then for everyone who had queued behind them: measured with 50 new connections of adds, about
 * one request in 150 of a 10 s run waited two rounds of the open connections, not one, enough to
 * set the run's p99. The bound keeps a steady stream of new connections (a proxy that does
 * not keep its connections open) from holding requests back longer than `acceptFirstMs`: past it,
 * one request a turn starts, as before.
 *
 * A request started runs to its first wait on real I/O (SQLite answers within the same turn).
 * Waiting requests are bounded: past `maxWaiting` the app answers 503 at once, with Retry-After,
 * rather than queueing without end; one whose client left while it waited is dropped.
 */
export interface RequestTurnsOptions {
  /** The most requests waiting for their turn; more are refused with 503. */
  maxWaiting: number;
  /** While connections are being accepted, requests that have waited less than this wait on (default 5 ms). */
  acceptFirstMs?: number;
  /** The clock, in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Told about each refused request. */
  onRefused?: (req: IncomingMessage) => void;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface RequestTurns extends RequestListener {
  /** To be called each time a long task gives way: turns begin, or go on. */
  shorten(): void;
  /** To be called on each accepted connection: turns begin, or go on, new connections first. */
  accepted(): void;
  /** Requests waiting for their turn. */
  waiting(): number;
}

/** A request waiting for its turn, and when it began to wait. */
type Waiting = [IncomingMessage, ServerResponse, number];

export function requestTurns(handler: RequestListener, o: RequestTurnsOptions): RequestTurns {
  const acceptFirstMs = o.acceptFirstMs ?? 5;
  const now = o.now ?? (() => performance.now());
  // A FIFO over an array: `head` moves on, and the array is reset whenever it empties.
  let queue: Array<Waiting | undefined> = [];
  let head = 0;
  /** A turn is scheduled (setImmediate) and not yet run. */
  let scheduled = false;
  /** Taking turns: `shorten` was called in the last turn or this one. */
  let taking = false;
  /** `shorten` or `accepted` was called since the last turn ran. */
  let shortened = false;
  /** `accepted` was called since the last turn ran: a burst of connections may be under way. */
  let accepting = false;

  const start = (entry: Waiting | undefined) => {
    // A client that gave up while waiting (its connection is gone) costs nothing more.
    if (entry && !entry[0].socket?.destroyed) handler(entry[0], entry[1]);
  };
  const take = () => {
    const entry = queue[head];
    queue[head++] = undefined;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    return entry;
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(nextTurn);
  };

  function nextTurn() {
    scheduled = false;
    // A turn went by (its poll phase included) without a new connection or a task giving way:
    // no more are waiting to be accepted, so the requests that waited run now, in order.
    if (!shortened) taking = false;
    const burst = accepting;
    shortened = false;
    accepting = false;
    if (!taking) return runAllWaiting();
    // The next turn comes after the following poll, where one more connection can be accepted.
    schedule();
    if (head < queue.length && !(burst && now() - queue[head]![2] < acceptFirstMs)) start(take());
  }

  /** Immediates scheduled by runAllWaiting that have not run yet. */
  let pendingRuns = 0;
  /**
   * Each waiting request gets an immediate of its own. Node runs the microtasks between two
   * immediates, so each request runs to its first real wait before the next one starts, as
   * requests read from sockets do. Started in one loop, their promise chains would interleave
   * (every query of each waiting for the others'), and all of them would end together.
   */
  function runAllWaiting() {
    const more = queue.length - head - pendingRuns;
    for (let i = 0; i < more; i++) setImmediate(runWaiting);
    pendingRuns += Math.max(0, more);
  }
  function runWaiting() {
    pendingRuns--;
    // Turns began again meanwhile: the waiting requests go one per turn.
    if (taking) return;
    if (head < queue.length) start(take());
  }

  const listener = function requestTurnsListener(req: IncomingMessage, res: ServerResponse) {
    // Not taking turns, a request starts at once, even while the ones that waited are still being
    // run (they all run in the next check phase): queued behind them, newcomers would keep the
    // queue going for as long as requests kept arriving.
    if (!taking) return handler(req, res);
    if (queue.length - head >= o.maxWaiting) {
      o.onRefused?.(req);
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end('The app is busy. Please try again in a moment.\n');
      return;
    }
    queue.push([req, res, now()]);
    schedule();
  };
  function shortenTurns() {
    shortened = true;
    taking = true;
    schedule();
  }
  return Object.assign(listener, {
    shorten: shortenTurns,
    accepted: function acceptedConnection() {
      accepting = true;
      shortenTurns();
    },
    waiting: () => queue.length - head,
  });
}
