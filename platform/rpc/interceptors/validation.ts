// Validates every incoming request against the buf.validate rules in its proto, before any
// handler runs. A violation becomes INVALID_ARGUMENT naming each offending field.

import { createValidator } from "@bufbuild/protovalidate";
import type { Interceptor } from "../call.ts";
import { AppError } from "../errors.ts";

const validator = createValidator();

export const validationInterceptor: Interceptor = (next) => async (req, call) => {
  if (call.side === "server") {
    const result = validator.validate(call.method.input, req);
    if (result.kind === "invalid") {
      throw AppError.invalidArgument(result.violations.map((v) => v.toString()).join("; "));
    }
    if (result.kind === "error") throw AppError.internal("request validation failed", result.error);
  }
  return next(req, call);
};
