import { AppError } from "../../platform/rpc/errors.ts";

/** The error code a promise settles with ("OK" when it resolves): for asserting error paths. */
export function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "OK",
    (err: unknown) => AppError.from(err).code,
  );
}
