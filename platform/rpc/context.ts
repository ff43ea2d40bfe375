// The request context: one linked cancellation plus the request-scoped values that travel with
// it. Every layer receives it explicitly and hands it to every outgoing call (no globals).

import { AppError } from "./errors.ts";

export interface Ctx {
  /** Aborts when the caller cancels or the deadline passes; `reason` is an AppError. */
  readonly signal: AbortSignal;
  /** Absolute deadline (ms since epoch), when the caller set one. */
  readonly deadline?: number;
  /** The caller's auth token (x-auth-token), forwarded to downstream services. */
  readonly authToken?: string;
  /** Correlates log lines of one request across services. */
  readonly requestId?: string;
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
  const deadline = Math.min(parent.deadline ?? Number.POSITIVE_INFINITY, Date.now() + timeoutMs);
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.signal.reason);
  if (parent.signal.aborted) onParentAbort();
  else parent.signal.addEventListener("abort", onParentAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new AppError("DEADLINE_EXCEEDED", "deadline exceeded")),
    Math.max(0, deadline - Date.now()),
  );
  const dispose = () => {
    clearTimeout(timer);
    parent.signal.removeEventListener("abort", onParentAbort);
  };
  return { ctx: { ...parent, signal: controller.signal, deadline }, dispose };
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
