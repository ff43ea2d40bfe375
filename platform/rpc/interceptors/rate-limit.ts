// Rate limiting as interceptors over the limiter in concurrency/rate-limiter.ts: a client waits
// for a permit, a server refuses beyond the limit.

import type { RateLimiter } from "../../concurrency/rate-limiter.ts";
import type { Interceptor } from "../call.ts";
import { AppError } from "../errors.ts";

/** Client side: every outgoing call waits for a permit (bounded by the caller's deadline). */
export function rateLimitClientInterceptor(limiter: RateLimiter): Interceptor {
  return (next) => async (req, call) => {
    await limiter.acquire(call.ctx.signal);
    return next(req, call);
  };
}

/** Server side: calls beyond the limit are refused with RESOURCE_EXHAUSTED. */
export function rateLimitServerInterceptor(limiter: RateLimiter): Interceptor {
  return (next) => async (req, call) => {
    if (!(await limiter.tryAcquire())) {
      throw AppError.resourceExhausted(`rate limit of ${limiter.limit} requests per second exceeded`);
    }
    return next(req, call);
  };
}
