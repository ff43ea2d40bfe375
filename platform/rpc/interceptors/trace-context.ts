// Carries the W3C trace context (`traceparent`, `tracestate`) through metadata, like the
// request id: on the server side the incoming headers become a context value (the remote
// parent); on the client side the value becomes outgoing headers. The tracing interceptor
// (tracing.ts) starts spans under that parent and replaces the value with its own span.

import { extractTraceContext, injectTraceContext } from "../../observability/trace-context.ts";
import type { Interceptor } from "../call.ts";
import { getValue, traceContextKey, withValue } from "../context-values.ts";

export const traceContextInterceptor: Interceptor = (next) => (req, call) => {
  if (call.side === "server") {
    return next(req, {
      ...call,
      ctx: withValue(call.ctx, traceContextKey, extractTraceContext(call.header)),
    });
  }
  if (!call.header.has("traceparent")) injectTraceContext(getValue(call.ctx, traceContextKey), call.header);
  return next(req, call);
};
