// Correlates the log lines of one request across services through `x-request-id` metadata:
// taken from the incoming request (or made up) into the context and echoed in the response
// on the server side; sent on from the context on the client side.
//
// The id comes from whoever calls us and is written into every log line of the request and
// into LOMS' outbox rows, so it is bounded before anything sees it: up to 128 characters of
// letters, digits and `._:-` (UUIDs, ULIDs, trace ids and most proxies' ids fit). Anything else
// is replaced by a fresh UUID rather than trimmed or escaped: a trimmed id would no longer
// match the caller's logs anyway, and a replaced one is echoed back so the caller can still
// correlate.

import { randomUUID } from "node:crypto";
import type { Interceptor } from "../call.ts";
import { getValue, requestIdKey, wellFormedRequestId, withValue } from "../context-values.ts";

const HEADER = "x-request-id";

export const requestIdInterceptor: Interceptor = (next) => (req, call) => {
  if (call.side === "server") {
    const id = wellFormedRequestId(call.header.get(HEADER)) ?? randomUUID();
    call.responseHeader.set(HEADER, id);
    return next(req, { ...call, ctx: withValue(call.ctx, requestIdKey, id) });
  }
  const id = getValue(call.ctx, requestIdKey);
  if (id && !call.header.has(HEADER)) call.header.set(HEADER, id);
  return next(req, call);
};
