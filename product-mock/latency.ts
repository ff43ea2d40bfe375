// The latency knob: every call waits `baseMs` plus up to `jitterMs` before being handled, as a
// remote catalog would, so that cart's concurrency and timeouts meet realistic delays.

import type { Interceptor } from "../platform/rpc/call.ts";
import { sleep } from "../platform/rpc/context.ts";

export function latencyInterceptor(baseMs: number, jitterMs: number): Interceptor {
  return (next) => async (req, call) => {
    const delay = baseMs + Math.random() * jitterMs;
    if (delay > 0) await sleep(delay, call.ctx.signal);
    return next(req, call);
  };
}
