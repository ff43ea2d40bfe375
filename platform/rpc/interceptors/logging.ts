// One structured log line per call: method, side, transport, outcome code and duration.
// Request bodies are never logged (they may carry tokens); unexpected errors and outages log
// their cause, through the logger's safeError (no row data).

import type { Logger } from "../../observability/logger.ts";
import { traceIds } from "../../observability/trace-context.ts";
import { type Interceptor, methodPath } from "../call.ts";
import { getValue, requestIdKey } from "../context-values.ts";
import { AppError } from "../errors.ts";

const UNEXPECTED = new Set(["INTERNAL", "UNKNOWN", "DATA_LOSS"]);

export function loggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req, call) => {
    const started = performance.now();
    const ids = Object.assign(call.correlation, {
      request_id: getValue(call.ctx, requestIdKey),
      ...traceIds(call.ctx),
    });
    const fields = {
      method: methodPath(call.method),
      side: call.side,
      transport: call.protocol.name,
      ...ids,
    };
    try {
      const res = await next(req, call);
      const ms = performance.now() - started;
      // One info line per request served: where the transport writes its own, it has the ids.
      (call.side === "server" && !call.protocol.observesRequests ? logger.info : logger.debug).call(logger, {
        ...fields,
        code: "OK",
        duration_ms: round(ms),
      });
      return res;
    } catch (err) {
      const appErr = AppError.from(err);
      logFailure(
        logger,
        { ...fields, code: appErr.code, duration_ms: round(performance.now() - started) },
        appErr,
      );
      throw appErr;
    }
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function logFailure(logger: Logger, line: object, err: AppError): void {
  if (UNEXPECTED.has(err.code)) logger.error({ ...line, err: err.cause ?? err }, err.message);
  // An outage's cause (which database, which SQLSTATE) is what the on-call needs to see.
  else if (err.code === "UNAVAILABLE") logger.warn({ ...line, err: err.cause ?? err }, err.message);
  else logger.warn(line, err.message);
}
