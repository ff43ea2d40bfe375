// Client-side rate limiting over the limiter in concurrency/rate-limiter.ts: every outgoing call
// waits for a permit and holds it until the call has ended (why: see the limiter). A server that
// refuses beyond a limit checks its own budget where it knows who is calling (product-mock: after
// the token check, product-mock/budget.ts), not in an interceptor ahead of authentication.

import { Counter, Histogram, type Registry } from "prom-client";
import type { RateLimiter } from "../../concurrency/rate-limiter.ts";
import { LATENCY_BUCKETS } from "../../observability/metrics.ts";
import type { Interceptor } from "../call.ts";

/**
 * Every outgoing call waits for a permit (bounded by the caller's deadline) and releases it when
 * the call has ended, answer or error. With a
 * registry, each permit's wait is observed (`rate_limiter_wait_seconds`) and the calls that had
 * to wait are counted (`rate_limiter_waits_total`), labelled with the limiter's name.
 */
export function rateLimitClientInterceptor(
  limiter: RateLimiter,
  registry?: Registry,
  name = "default",
): Interceptor {
  const waits = registry
    ? new Counter({
        name: "rate_limiter_waits_total",
        help: "Calls that had to wait for a rate-limit permit.",
        labelNames: ["limiter"] as const,
        registers: [registry],
      })
    : undefined;
  const waited = registry
    ? new Histogram({
        name: "rate_limiter_wait_seconds",
        help: "Time calls spent waiting for a rate-limit permit.",
        labelNames: ["limiter"] as const,
        buckets: [0, ...LATENCY_BUCKETS],
        registers: [registry],
      })
    : undefined;
  return (next) => async (req, call) => {
    const started = performance.now();
    const permit = await limiter.acquire(call.ctx.signal);
    const seconds = (performance.now() - started) / 1000;
    waited?.observe({ limiter: name }, seconds);
    // Under a millisecond is the permit store's own latency, not a wait for the window.
    if (seconds >= 0.001) waits?.inc({ limiter: name });
    try {
      return await next(req, call);
    } finally {
      await permit.release();
    }
  };
}
