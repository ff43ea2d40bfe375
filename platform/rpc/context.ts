// The request context: one linked cancellation plus the request-scoped values that travel with
// it. Every layer receives it explicitly and hands it to every outgoing call (no globals).
// Use cases see only this: no headers, no transport. Interceptors turn headers into values.

import type { ContextValues } from "./context-values.ts";
import { linkDeadline } from "./deadline.ts";

export interface Ctx {
  /** Aborts when the caller cancels or the deadline passes; `reason` is an AppError. */
  readonly signal: AbortSignal;
  /** Absolute deadline (ms since epoch), when the caller set one. */
  readonly deadline?: number;
  /** Request-scoped values (auth token, request id...), read with `getValue` from context-values.ts. */
  readonly values?: ContextValues;
}

/** A context for work that no request owns (startup, background loops); cancelled by `signal`. */
export function backgroundCtx(signal: AbortSignal = new AbortController().signal): Ctx {
  return { signal };
}

/**
 * Derives a context that is cancelled when the parent is, or after `timeoutMs`, whichever comes
 * first. The earlier of the two deadlines wins. `dispose` releases the timer; call it when done.
 */
export function withTimeout(parent: Ctx, timeoutMs: number): { ctx: Ctx; dispose: () => void } {
  const linked = linkDeadline(parent.signal, [
    { at: parent.deadline, source: "caller's deadline" },
    { at: Date.now() + timeoutMs, source: `${timeoutMs} ms timeout` },
  ]);
  return { ctx: { ...parent, signal: linked.signal, deadline: linked.deadline }, dispose: linked.dispose };
}

/**
 * Settles like `work`, or rejects with the signal's reason as soon as it aborts, whichever comes
 * first: for waits that cannot be cancelled themselves (a pool's connection queue). A later
 * rejection of `work` is observed, so it cannot surface as an unhandled rejection.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Rejects with the signal's reason as soon as it aborts; resolves after `ms` otherwise. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
