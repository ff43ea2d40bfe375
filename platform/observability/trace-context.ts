// The W3C trace context (`traceparent`, `tracestate`) over a Headers carrier, and the ids of the
// Ctx's span for log lines. Shared by everything that carries a trace across a boundary: the rpc
// interceptors (metadata), the event bus (message headers, outbox rows) and the logger.

import { type Context, ROOT_CONTEXT, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { Ctx } from "../rpc/context.ts";
import { getValue, traceContextKey } from "../rpc/context-values.ts";
import { spanIds } from "./logger.ts";

const propagator = new W3CTraceContextPropagator();

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

/** The ids of the span in the Ctx, for log lines; empty when there is none. */
export function traceIds(ctx: Ctx): { trace_id?: string; span_id?: string } {
  return spanIds(getValue(ctx, traceContextKey));
}
