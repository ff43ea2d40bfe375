// The one place a call's cancellation is built. Every transport (gRPC server, HTTP gateway, gRPC
// client) and `withTimeout` link the same inputs: a parent signal (the caller, a closed
// connection, a cancelled gRPC call) and any number of named absolute deadlines (the incoming
// grpc-timeout, the gateway's timeout, a service default). The earliest deadline wins, and the
// abort reason names it, so a DEADLINE_EXCEEDED in a log says whose limit ran out.

import { AppError } from "./errors.ts";

/**
 * How long a server lets a call run that arrived without a deadline of its own (gRPC server and
 * HTTP gateway alike): long enough for any honest request, short enough that a stuck one frees
 * its connection, its pool slot and its log line.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export interface DeadlineLimit {
  /** Absolute time in ms since epoch; undefined or non-finite means "no limit from this source". */
  readonly at: number | undefined;
  /** Names the source in the abort reason, e.g. "grpc-timeout" or "gateway timeout". */
  readonly source: string;
}

export interface LinkedDeadline {
  readonly signal: AbortSignal;
  /** The earliest of the limits, when any is set. */
  readonly deadline: number | undefined;
  /** Releases the timer and the parent listener; call it when the call is over. */
  dispose(): void;
}

export function linkDeadline(
  parent: AbortSignal | undefined,
  limits: readonly DeadlineLimit[],
): LinkedDeadline {
  const controller = new AbortController();
  let earliest: DeadlineLimit | undefined;
  for (const limit of limits) {
    if (limit.at === undefined || !Number.isFinite(limit.at)) continue;
    if (earliest?.at === undefined || limit.at < earliest.at) earliest = limit;
  }
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (earliest?.at !== undefined && !controller.signal.aborted) {
    const { source } = earliest;
    timer = setTimeout(
      () => controller.abort(new AppError("DEADLINE_EXCEEDED", `deadline exceeded (${source})`)),
      Math.max(0, earliest.at - Date.now()),
    );
  }
  return {
    signal: controller.signal,
    deadline: earliest?.at,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}

/** A client call's cancellation: the caller's signal and deadline, capped by the client's timeout. */
export function linkClientDeadline(
  ctx: { readonly signal: AbortSignal; readonly deadline?: number },
  timeoutMs: number,
): LinkedDeadline {
  return linkDeadline(ctx.signal, [
    { at: ctx.deadline, source: "caller's deadline" },
    { at: Date.now() + timeoutMs, source: `client timeout ${timeoutMs} ms` },
  ]);
}
