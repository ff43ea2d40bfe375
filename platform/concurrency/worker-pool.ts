// A fixed-size worker pool for I/O-bound tasks (such as product look-ups while listing a cart).
//
// Guarantees:
// - Bounded concurrency: at most `size` tasks run at any moment, across every caller sharing
//   the pool; further tasks wait in a FIFO queue and start in submission order.
// - Bounded queue: at most `maxQueue` tasks wait; `submit` beyond that rejects at once with
//   RESOURCE_EXHAUSTED instead of letting memory grow without limit under overload.
// - Cancellation: a task whose signal aborts while queued never starts and rejects with the
//   signal's reason; a running task receives the signal and is expected to honour it.
// - No lost or leaked work: every submitted task settles its promise exactly once; a failing
//   task frees its worker like a succeeding one, whether it rejects or throws synchronously
//   before returning a promise. `close()` rejects queued tasks and waits for running ones.
// - `map` has errgroup semantics: results come back in input order; the first failure aborts
//   the sibling tasks (through a derived signal), and `map` rejects with it only once every
//   sibling has settled, so none still runs on the caller's behalf after `map` returns. (A
//   running sibling that ignores its signal delays `map` until it finishes; tasks are expected
//   to honour the signal.)
//
// - `mapBounded` (and `BoundedMapper`) give the same `map` guarantees without a shared pool: at
//   most `limit` items of one call run at once. Cart bounds each listing with it, and keeps the
//   process-wide pool for the product client alone, so warm listings never queue behind cold ones.
//
// Why not a library: p-limit and friends cap concurrency per call site but do not give a
// shared, bounded queue with per-task cancellation and errgroup-style `map`; the whole is ~100
// lines and this comment states its contract.

import { AppError } from "../rpc/errors.ts";

type Task<T> = (signal: AbortSignal) => Promise<T>;

interface Queued {
  readonly start: () => void;
  readonly cancel: (reason: unknown) => void;
  readonly signal: AbortSignal;
}

export class WorkerPool {
  readonly size: number;
  readonly maxQueue: number;
  #running = 0;
  #queue: Queued[] = [];
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(size: number, maxQueue = 10_000) {
    if (!Number.isInteger(size) || size < 1) throw new Error("worker pool size must be a positive integer");
    // 0 would refuse every task that cannot start at once: a misconfiguration, not a policy.
    if (!Number.isInteger(maxQueue) || maxQueue < 1) {
      throw new Error("worker pool maxQueue must be a positive integer");
    }
    this.size = size;
    this.maxQueue = maxQueue;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  submit<T>(task: Task<T>, signal: AbortSignal): Promise<T> {
    if (this.#closed) return Promise.reject(AppError.unavailable("worker pool is closed"));
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(AppError.resourceExhausted("worker pool queue is full"));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Queued = {
        signal,
        start: () => {
          signal.removeEventListener("abort", onAbort);
          this.#running++;
          // The executor turns a synchronous throw into a rejection, so the slot is freed below.
          new Promise<T>((settle) => settle(task(signal))).then(resolve, reject).finally(() => {
            this.#running--;
            this.#next();
          });
        },
        cancel: (reason) => {
          signal.removeEventListener("abort", onAbort);
          reject(reason);
        },
      };
      const onAbort = () => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) {
          this.#queue.splice(i, 1);
          entry.cancel(signal.reason);
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(entry);
      this.#next();
    });
  }

  /**
   * Runs `fn` over `items` on the pool; see the errgroup guarantee above. `limit` caps how many
   * of this call's items hold or wait for a worker at once (the rest wait in the call itself),
   * so that one large call cannot fill the shared queue ahead of everyone else.
   */
  map<I, O>(
    items: readonly I[],
    fn: (item: I, signal: AbortSignal) => Promise<O>,
    signal: AbortSignal,
    limit = items.length,
  ): Promise<O[]> {
    return mapBounded(items, limit, (item, s) => this.submit((ts) => fn(item, ts), s), signal);
  }

  /** Refuses new tasks, rejects queued ones, resolves when running ones have finished. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#queue.splice(0)) entry.cancel(AppError.unavailable("worker pool is closed"));
    if (this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #next(): void {
    while (this.#running < this.size && this.#queue.length > 0) this.#queue.shift()?.start();
    if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

/**
 * errgroup-style map with at most `limit` items in flight: results in input order, items start
 * in input order, the first failure aborts the others (through a derived signal) and is what
 * this rejects with, and the parent signal's abort does the same. Either way it settles only
 * once every started item has settled: nothing still runs on the caller's behalf afterwards.
 */
export async function mapBounded<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I, signal: AbortSignal) => Promise<O>,
  signal: AbortSignal,
): Promise<O[]> {
  const group = new AbortController();
  const onParentAbort = () => group.abort(signal.reason);
  if (signal.aborted) onParentAbort();
  else signal.addEventListener("abort", onParentAbort, { once: true });
  const results = new Array<O>(items.length);
  let next = 0;
  let failure: { readonly err: unknown } | undefined;
  const fail = (err: unknown) => {
    if (failure) return;
    failure = { err };
    group.abort(err);
  };
  const worker = async () => {
    while (next < items.length && !group.signal.aborted) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as I, group.signal);
      } catch (err) {
        fail(err);
      }
    }
  };
  try {
    const workers = Math.max(1, Math.min(limit, items.length));
    // Workers never reject (failures are recorded); waiting for all of them is waiting for every
    // started item to settle, aborted siblings included.
    await Promise.all(Array.from({ length: workers }, worker));
    if (group.signal.aborted && !failure) throw group.signal.reason;
    if (failure) throw failure.err;
    return results;
  } finally {
    signal.removeEventListener("abort", onParentAbort);
  }
}

/** The `ConcurrentMapper` shape over `mapBounded`: a per-call bound, no shared queue. */
export class BoundedMapper {
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error("mapper limit must be a positive integer");
  }

  map<I, O>(items: readonly I[], fn: (item: I, signal: AbortSignal) => Promise<O>, signal: AbortSignal) {
    return mapBounded(items, this.limit, fn, signal);
  }
}
