// The relay's wake-up: the outbox trigger's NOTIFY, remembered if it arrives while the relay is
// busy with a batch, or else the safety-net poll after `timeoutMs`.

import type { WakeMode } from "./relay.ts";

/** Remembers a notification that arrives while the relay is busy, so none is missed. */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;

  notify(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  async wait(timeoutMs: number, signal: AbortSignal): Promise<WakeMode> {
    if (!this.#pending) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          this.#resolve = undefined;
        };
        const onAbort = () => {
          done();
          reject(signal.reason);
        };
        const timer = setTimeout(() => {
          done();
          resolve();
        }, timeoutMs);
        this.#resolve = () => {
          done();
          resolve();
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
    }
    const mode = this.#pending ? "notify" : "poll";
    this.#pending = false;
    return mode;
  }
}
