// The four golden signals per call from the metrics in observability/metrics.ts: traffic and
// errors (requests_total by code), latency (duration histogram), saturation (in-flight gauge).

import type { Metrics } from "../../observability/metrics.ts";
import { type Interceptor, methodPath } from "../call.ts";
import { AppError } from "../errors.ts";

export function metricsInterceptor(metrics: Metrics): Interceptor {
  const { requests, duration, inFlight } = metrics.rpc;
  return (next) => async (req, call) => {
    const base = { side: call.side, transport: call.transport, method: methodPath(call.method) };
    inFlight.inc(base);
    const stop = duration.startTimer();
    let code = "OK";
    try {
      return await next(req, call);
    } catch (err) {
      code = AppError.from(err).code;
      throw err;
    } finally {
      inFlight.dec(base);
      stop({ ...base, code });
      requests.inc({ ...base, code });
    }
  };
}
