// Structured JSON logs (pino) on stdout. One root logger per process; services take a child
// with their name. Tokens and passwords are redacted by key wherever they appear in a log
// object, and errors are logged through `safeError`: what went wrong and where, never the data
// it went wrong with (a Postgres error's `detail` names row values, `where` and `hint` too).

import pino from "pino";

export type Logger = pino.Logger;

const REDACT = ["token", "authToken", "*.token", "*.authToken", "password", "*.password"];

/** The fields of an error worth logging: kind, message, SQLSTATE and schema names, the causes. */
const SAFE_ERROR_FIELDS = ["code", "severity", "constraint_name", "table_name", "column_name"];

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
  };
}

let root: Logger | undefined;

export function createLogger(service: string): Logger {
  root ??= pino(loggerOptions());
  return root.child({ service });
}
