// The caller's auth token travels as `x-auth-token` metadata: taken from the incoming request
// into the context on the server side, sent on from the context on the client side.
// Tokens never reach logs: they live in context values, which nothing serializes.

import type { Interceptor } from "../call.ts";
import { createContextKey, getValue, withValue } from "../context-values.ts";

const HEADER = "x-auth-token";

export const authTokenKey = createContextKey<string | undefined>(undefined, "auth token");

export const authTokenInterceptor: Interceptor = (next) => (req, call) => {
  if (call.side === "server") {
    const token = call.header.get(HEADER);
    return next(req, token ? { ...call, ctx: withValue(call.ctx, authTokenKey, token) } : call);
  }
  const token = getValue(call.ctx, authTokenKey);
  if (token && !call.header.has(HEADER)) call.header.set(HEADER, token);
  return next(req, call);
};
