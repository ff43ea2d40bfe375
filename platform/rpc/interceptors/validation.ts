// Validates every incoming request against the buf.validate rules in its proto, before any
// handler runs. A violation becomes INVALID_ARGUMENT naming each offending field.

import { violationsOf } from "../../validation.ts";
import type { Interceptor } from "../call.ts";
import { AppError } from "../errors.ts";

export const validationInterceptor: Interceptor = (next) => async (req, call) => {
  if (call.side === "server") {
    let violations: string | undefined;
    try {
      violations = violationsOf(call.method.input, req);
    } catch (err) {
      throw AppError.internal("request validation failed", err);
    }
    if (violations !== undefined) throw AppError.invalidArgument(violations);
  }
  return next(req, call);
};
