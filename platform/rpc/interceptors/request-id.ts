// Correlates the log lines of one request across services through `x-request-id` metadata:
// taken from the incoming request (or made up) into the context and echoed in the response
// on the server side; sent on from the context on the client side.

import { randomUUID } from "node:crypto";
import type { Interceptor } from "../call.ts";
import { getValue, requestIdKey, withValue } from "../context-values.ts";

const HEADER = "x-request-id";

export const requestIdInterceptor: Interceptor = (next) => (req, call) => {
  if (call.side === "server") {
    const id = call.header.get(HEADER) || randomUUID();
    call.responseHeader.set(HEADER, id);
    return next(req, { ...call, ctx: withValue(call.ctx, requestIdKey, id) });
  }
  const id = getValue(call.ctx, requestIdKey);
  if (id && !call.header.has(HEADER)) call.header.set(HEADER, id);
  return next(req, call);
};
