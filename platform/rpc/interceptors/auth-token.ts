// The caller's auth token travels as `x-auth-token` metadata. Every server takes it from the
// incoming request into the context; a client sends it on only when it runs
// `sendAuthTokenInterceptor`, because a token is a credential for one service (cart sends the
// caller's token to the product service, never to LOMS).
// Tokens never reach logs: they live in context values, which nothing serializes.

import type { Interceptor } from "../call.ts";
import { authTokenKey, getValue, withValue } from "../context-values.ts";

const HEADER = "x-auth-token";

/** Server side: the incoming token into the context. Client side: nothing (see above). */
export const authTokenInterceptor: Interceptor = (next) => (req, call) => {
  if (call.side !== "server") return next(req, call);
  const token = call.header.get(HEADER);
  return next(req, token ? { ...call, ctx: withValue(call.ctx, authTokenKey, token) } : call);
};

/** For a client of the service the token is meant for: sends the context's token on. */
export const sendAuthTokenInterceptor: Interceptor = (next) => (req, call) => {
  const token = getValue(call.ctx, authTokenKey);
  if (call.side === "client" && token && !call.header.has(HEADER)) call.header.set(HEADER, token);
  return next(req, call);
};
