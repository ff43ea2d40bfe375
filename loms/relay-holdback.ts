// The relay's memory of orders whose events a broker partition refused while the others were
// acknowledged. Their events are left out of the next claims, so that the rest of the outbox —
// every other partition — keeps flowing instead of queueing behind them; leaving out whole
// orders (not single events) keeps each order's events in order. After a back-off, one claim
// includes them again (a probe); if their partition still fails they are held again, with a
// longer back-off.

export class HeldBackOrders {
  #orders = new Set<number>();
  #retryAt = 0;
  #backoffMs: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.#backoffMs = initialMs;
  }

  /** Orders to leave out of the next claim: none when it is time to try them again. */
  excluded(now = Date.now()): number[] {
    if (now >= this.#retryAt) this.#orders.clear();
    return [...this.#orders];
  }

  hold(orderIds: readonly number[], now = Date.now()): void {
    for (const id of orderIds) this.#orders.add(id);
    this.#retryAt = now + this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.maxMs);
  }

  /** A batch went through whole: once nothing is held, the next failure starts a short back-off. */
  succeeded(): void {
    if (this.#orders.size > 0) return; // still holding: keep the back-off growing
    this.#backoffMs = this.initialMs;
  }
}
