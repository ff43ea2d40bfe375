// Structured JSON logs (pino) on stdout. One root logger per process; services take a child
// with their name. Tokens and passwords are redacted by key wherever they appear in a log
// object, and errors are logged through `safeError`: what went wrong and where, never the data
// it went wrong with (a Postgres error's `detail` names row values, `where` and `hint` too).
// A line written while a span is active carries its trace_id and span_id, so logs and traces
// join. On a terminal (`make run` by hand) lines are pretty-printed; piped or in files, JSON.

import { type Context, context, trace } from "@opentelemetry/api";
import pino from "pino";
import pretty from "pino-pretty";

export type Logger = pino.Logger;

const REDACT = ["token", "authToken", "*.token", "*.authToken", "password", "*.password"];

/** The fields of an error worth logging: kind, message, SQLSTATE and schema names, the causes. */
const SAFE_ERROR_FIELDS = ["code", "severity", "constraint_name", "table_name", "column_name"];

/** The ids of the span in an OpenTelemetry context, as log fields; none when there is no span. */
export function spanIds(otelContext: Context): { trace_id?: string; span_id?: string } {
  const sc = trace.getSpanContext(otelContext);
  return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

function safeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === "object" ? "[non-error object]" : err;
  const fields = err as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  for (const key of SAFE_ERROR_FIELDS) if (fields[key] !== undefined) out[key] = fields[key];
  if (err.cause !== undefined && depth < 5) out.cause = safeError(err.cause, depth + 1);
  return out;
}

/** The options of every logger; exported for tests that log into a stream of their own. */
export function loggerOptions(level = process.env.LOG_LEVEL ?? "info"): pino.LoggerOptions {
  return {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: { err: safeError },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => spanIds(context.active()),
  };
}

let root: Logger | undefined;

export function createLogger(service: string): Logger {
  // A synchronous pretty stream rather than a transport: no worker thread, same on Bun and Deno.
  root ??= process.stdout.isTTY
    ? pino(
        loggerOptions(),
        pretty({ colorize: true, ignore: "pid,hostname", translateTime: "SYS:HH:MM:ss.l" }),
      )
    : pino(loggerOptions());
  return root.child({ service });
}
