// One span per call: SERVER for a call handled (gRPC or the HTTP gateway), CLIENT for a call
// made, parented on the trace context in the Ctx (trace-context.ts). The handler runs with the
// span active too, so that spans made below it without a Ctx (Postgres queries) nest under it.
// Attributes name the method and the outcome code, never the request body.

import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { injectTraceContext } from "../../observability/trace-context.ts";
import { type Interceptor, methodPath } from "../call.ts";
import { getValue, traceContextKey, withValue } from "../context-values.ts";
import { AppError, type Code, codeToNumber } from "../errors.ts";

export function tracingInterceptor(tracer: Tracer): Interceptor {
  return (next) => async (req, call) => {
    const parent = getValue(call.ctx, traceContextKey);
    const attributes: Attributes = {
      "rpc.system": "grpc",
      "rpc.service": call.method.parent.typeName,
      "rpc.method": call.method.name,
      "marketplace.transport": call.protocol.name,
    };
    const kind = call.side === "server" ? SpanKind.SERVER : SpanKind.CLIENT;
    const span = tracer.startSpan(methodPath(call.method), { kind, attributes }, parent);
    const active = trace.setSpan(parent, span);
    if (call.side === "client") injectTraceContext(active, call.header);
    else announceTrace(span, call.responseHeader);
    try {
      const res = await context.with(active, () =>
        next(req, { ...call, ctx: withValue(call.ctx, traceContextKey, active) }),
      );
      setCode(span, "OK");
      return res;
    } catch (err) {
      const code = AppError.from(err).code;
      setCode(span, code);
      // A client's mistake (4xx) is not the server's error; the span records it as an event.
      if (SERVER_FAULTS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      else span.addEvent("rejected", { "rpc.code": code });
      throw err;
    } finally {
      span.end();
    }
  };
}

// W3C's `traceresponse`: the caller (curl, a browser) learns which trace to look up.
function announceTrace(span: Span, headers: Headers): void {
  const sc = span.spanContext();
  if (trace.isSpanContextValid(sc))
    headers.set("traceresponse", `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags}`);
}

function setCode(span: Span, code: Code | "OK"): void {
  span.setAttributes({ "rpc.grpc.status_code": code === "OK" ? 0 : codeToNumber(code), "rpc.code": code });
}

const SERVER_FAULTS = new Set(["INTERNAL", "UNKNOWN", "DATA_LOSS", "UNAVAILABLE", "DEADLINE_EXCEEDED"]);
