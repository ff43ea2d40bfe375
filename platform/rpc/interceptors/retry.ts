// Client-side retries for transient failures (UNAVAILABLE by default) with exponential backoff
// and jitter, never past the caller's deadline. Only for idempotent calls: the client owner
// decides by listing the methods it applies to.
//
// RESOURCE_EXHAUSTED is not retried by default: it says a budget is spent (product-mock's rate
// limit, which cart's own limiter shares out), and a retry spends it again — under load every
// refusal would turn into up to `attempts` calls against a limit that is already full.

import type { Interceptor } from "../call.ts";
import { type Ctx, sleep } from "../context.ts";
import { AppError, type Code } from "../errors.ts";

export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly retryOn?: readonly Code[];
  /** Method names (e.g. "GetProduct") that are safe to retry; others pass straight through. */
  readonly methods: readonly string[];
}

export function retryInterceptor(options: RetryOptions): Interceptor {
  const retryOn = new Set(options.retryOn ?? ["UNAVAILABLE"]);
  const methods = new Set(options.methods);
  return (next) => async (req, call) => {
    if (!methods.has(call.method.name)) return next(req, call);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req, call);
      } catch (err) {
        const appErr = AppError.from(err);
        const delay = options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        if (!shouldRetry(appErr, attempt, delay, call.ctx)) throw appErr;
        await sleep(delay, call.ctx.signal);
      }
    }
  };

  function shouldRetry(err: AppError, attempt: number, delayMs: number, ctx: Ctx): boolean {
    if (attempt >= options.attempts || !retryOn.has(err.code) || ctx.signal.aborted) return false;
    return ctx.deadline === undefined || Date.now() + delayMs < ctx.deadline;
  }
}
