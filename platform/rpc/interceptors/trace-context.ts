// Carries the W3C trace context (`traceparent`, `tracestate`) through metadata, like the
// request id: on the server side the incoming headers become a context value (the remote
// parent); on the client side the value becomes outgoing headers. The tracing interceptor
// (tracing.ts) starts spans under that parent and replaces the value with its own span.

import { type Context, ROOT_CONTEXT, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { Interceptor } from "../call.ts";
import { createContextKey, getValue, withValue } from "../context-values.ts";

const propagator = new W3CTraceContextPropagator();

/** The OpenTelemetry context of the current span (or of the remote parent, before one starts). */
export const traceContextKey = createContextKey<Context>(ROOT_CONTEXT, "trace context");

const getter: TextMapGetter<Headers> = {
  keys: (headers) => {
    const keys: string[] = [];
    headers.forEach((_value, key) => {
      keys.push(key);
    });
    return keys;
  },
  get: (headers, key) => headers.get(key) ?? undefined,
};
const setter: TextMapSetter<Headers> = { set: (headers, key, value) => headers.set(key, value) };

export function extractTraceContext(headers: Headers): Context {
  return propagator.extract(ROOT_CONTEXT, headers, getter);
}

/** Writes the context's span as `traceparent` (and `tracestate`) into `headers`. */
export function injectTraceContext(ctx: Context, headers: Headers): void {
  propagator.inject(ctx, headers, setter);
}

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
