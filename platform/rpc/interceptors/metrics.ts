// Traffic, errors and latency per call under the grpc-ecosystem names (observability/metrics.ts),
// plus in-flight calls for saturation. Server side counts the calls whose transport does not
// count its requests itself (a gRPC socket, in-process in embedded mode); the HTTP server counts
// gateway calls under http_requests_total instead, so no request is counted twice.

import type { Metrics } from "../../observability/metrics.ts";
import type { Interceptor } from "../call.ts";
import { AppError } from "../errors.ts";

export function metricsInterceptor(metrics: Metrics): Interceptor {
  return (next) => async (req, call) => {
    if (call.side === "server" && call.protocol.observesRequests) return next(req, call);
    const { started, handled, handling, inFlight } = metrics.grpc[call.side];
    const labels = {
      grpc_type: "unary",
      grpc_service: call.method.parent.typeName,
      grpc_method: call.method.name,
    };
    started.inc(labels);
    inFlight.inc(labels);
    const stop = handling.startTimer(labels);
    let code = "OK";
    try {
      return await next(req, call);
    } catch (err) {
      code = AppError.from(err).code;
      throw err;
    } finally {
      inFlight.dec(labels);
      stop();
      handled.inc({ ...labels, grpc_code: grpcCodeName(code) });
    }
  };
}

// go-grpc-prometheus labels codes with Go's names: "OK", "NotFound", "FailedPrecondition"...
function grpcCodeName(code: string): string {
  return code
    .toLowerCase()
    .split("_")
    .map((w) => (w === "ok" ? "OK" : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}
