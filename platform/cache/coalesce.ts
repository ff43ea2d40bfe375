// Coalesces concurrent loads of one key into one (a "single flight"): the first caller starts
// the load, later callers for the same key wait for the same result while it is in flight.
//
// Cancellation stays per caller: a caller whose signal aborts stops waiting at once, and the
// shared load itself is aborted only when every caller waiting on it has gone — one impatient
// caller never fails the others, and a load nobody waits for does not run on.

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

export class Coalescer<T> {
  readonly #flights = new Map<string, Flight<T>>();

  /** Number of loads in flight (for tests and gauges). */
  get inFlight(): number {
    return this.#flights.size;
  }

  run(key: string, load: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let flight = this.#flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const promise = load(controller.signal).finally(() => this.#flights.delete(key));
      flight = { promise, controller, waiters: 0 };
      this.#flights.set(key, flight);
    }
    return this.#wait(flight, signal);
  }

  #wait(flight: Flight<T>, signal: AbortSignal): Promise<T> {
    flight.waiters++;
    return new Promise<T>((resolve, reject) => {
      let waiting = true;
      const leave = () => {
        waiting = false;
        flight.waiters--;
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        if (!waiting) return;
        leave();
        if (flight.waiters === 0) flight.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      flight.promise.then(
        (value) => {
          if (!waiting) return;
          leave();
          resolve(value);
        },
        (err: unknown) => {
          if (!waiting) return;
          leave();
          reject(err);
        },
      );
    });
  }
}
