// Structured JSON logs (pino) on stdout. One root logger per process; services take a child
// with their name. Tokens are redacted by key wherever they appear in a log object. A line
// written while a span is active carries its trace_id and span_id, so logs and traces join.
// On a terminal (`make run` by hand) lines are pretty-printed; piped or in files they stay JSON.

import { type Context, context, trace } from "@opentelemetry/api";
import pino from "pino";
import pretty from "pino-pretty";

export type Logger = pino.Logger;

const REDACT = ["token", "authToken", "*.token", "*.authToken", "password", "*.password"];

let root: Logger | undefined;

/** The ids of the span in an OpenTelemetry context, as log fields; none when there is no span. */
export function spanIds(otelContext: Context): { trace_id?: string; span_id?: string } {
  const sc = trace.getSpanContext(otelContext);
  return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

function rootLogger(): Logger {
  const options: pino.LoggerOptions = {
    level: process.env.LOG_LEVEL ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => spanIds(context.active()),
  };
  // A synchronous pretty stream rather than a transport: no worker thread, same on Bun and Deno.
  root ??= process.stdout.isTTY
    ? pino(options, pretty({ colorize: true, ignore: "pid,hostname", translateTime: "SYS:HH:MM:ss.l" }))
    : pino(options);
  return root;
}

export function createLogger(service: string): Logger {
  return rootLogger().child({ service });
}
