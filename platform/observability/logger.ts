// Structured JSON logs (pino) on stdout. One root logger per process; services take a child
// with their name. Tokens are redacted by key wherever they appear in a log object.

import pino from "pino";

export type Logger = pino.Logger;

const REDACT = ["token", "authToken", "*.token", "*.authToken", "password", "*.password"];

let root: Logger | undefined;

function rootLogger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}

export function createLogger(service: string): Logger {
  return rootLogger().child({ service });
}
