// The one error type that crosses every boundary (use case → gRPC → gateway → client).
// Codes mirror gRPC's so that no boundary needs a lossy translation table of its own.

export const Code = {
  CANCELLED: "CANCELLED",
  UNKNOWN: "UNKNOWN",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
  NOT_FOUND: "NOT_FOUND",
  ALREADY_EXISTS: "ALREADY_EXISTS",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED",
  FAILED_PRECONDITION: "FAILED_PRECONDITION",
  ABORTED: "ABORTED",
  OUT_OF_RANGE: "OUT_OF_RANGE",
  UNIMPLEMENTED: "UNIMPLEMENTED",
  INTERNAL: "INTERNAL",
  UNAVAILABLE: "UNAVAILABLE",
  DATA_LOSS: "DATA_LOSS",
  UNAUTHENTICATED: "UNAUTHENTICATED",
} as const;
export type Code = (typeof Code)[keyof typeof Code];

// gRPC numeric status codes, in the order of the gRPC spec (index = numeric code, 0 = OK).
const NUMERIC: readonly (Code | "OK")[] = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

export function codeToNumber(code: Code): number {
  return NUMERIC.indexOf(code);
}

export function codeFromNumber(n: number): Code {
  const code = NUMERIC[n];
  return code === undefined || code === "OK" ? Code.UNKNOWN : code;
}

/**
 * The HTTP status the gateway answers for each code: DESIGN's table, and for the codes DESIGN
 * lumps into "others 500" the usual HTTP meaning where there is one (README's table lists all).
 */
export function httpStatusOf(code: Code): number {
  switch (code) {
    case Code.INVALID_ARGUMENT:
    case Code.OUT_OF_RANGE:
      return 400;
    case Code.UNAUTHENTICATED:
      return 401;
    case Code.PERMISSION_DENIED:
      return 403;
    case Code.NOT_FOUND:
      return 404;
    case Code.ALREADY_EXISTS:
    case Code.ABORTED:
      return 409;
    case Code.FAILED_PRECONDITION:
      return 412;
    case Code.RESOURCE_EXHAUSTED:
      return 429;
    case Code.CANCELLED:
      return 499;
    case Code.UNIMPLEMENTED:
      return 501;
    case Code.UNAVAILABLE:
      return 503;
    case Code.DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: Code;
  /** The message without the code prefix: what clients see in `{code, message}` bodies. */
  readonly detail: string;
  /** Overrides the HTTP status the code maps to; for HTTP-only conditions such as 413. */
  readonly httpStatus: number | undefined;

  constructor(code: Code, detail: string, options?: { cause?: unknown; httpStatus?: number }) {
    super(`${code}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.httpStatus = options?.httpStatus;
  }

  static invalidArgument(detail: string): AppError {
    return new AppError(Code.INVALID_ARGUMENT, detail);
  }
  static notFound(detail: string): AppError {
    return new AppError(Code.NOT_FOUND, detail);
  }
  static failedPrecondition(detail: string): AppError {
    return new AppError(Code.FAILED_PRECONDITION, detail);
  }
  static unauthenticated(detail: string): AppError {
    return new AppError(Code.UNAUTHENTICATED, detail);
  }
  static resourceExhausted(detail: string): AppError {
    return new AppError(Code.RESOURCE_EXHAUSTED, detail);
  }
  static unavailable(detail: string, cause?: unknown): AppError {
    return new AppError(Code.UNAVAILABLE, detail, { cause });
  }
  static internal(detail: string, cause?: unknown): AppError {
    return new AppError(Code.INTERNAL, detail, { cause });
  }

  /**
   * Normalizes anything thrown into an AppError. Unknown errors become INTERNAL with a generic
   * message (their text may hold SQL or secrets); the original stays in `cause` for the logs.
   */
  static from(err: unknown): AppError {
    if (err instanceof AppError) return err;
    if (isAbortError(err)) {
      const reason = (err as { cause?: unknown }).cause;
      if (reason instanceof AppError) return reason;
      return new AppError(Code.CANCELLED, "request cancelled", { cause: err });
    }
    return new AppError(Code.INTERNAL, "internal error", { cause: err });
  }

  is(code: Code): boolean {
    return this.code === code;
  }
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
}

/**
 * What a dependency's error means for our own caller, decided in the adapter that made the call:
 * cancellation and deadlines stay (they are the caller's own), UNAVAILABLE stays (try later), the
 * dependency's rate limit becomes UNAVAILABLE (our caller exceeded nothing), and the codes the
 * adapter names as part of the dependency's contract pass through. Anything else (our request or
 * credentials refused, the dependency's own failure) is INTERNAL, the original kept as cause.
 */
export function fromDependency(err: unknown, dependency: string, contract: readonly Code[] = []): AppError {
  const e = AppError.from(err);
  if (e.code === Code.CANCELLED || e.code === Code.DEADLINE_EXCEEDED || contract.includes(e.code)) return e;
  if (e.code === Code.UNAVAILABLE || e.code === Code.RESOURCE_EXHAUSTED) {
    return new AppError(Code.UNAVAILABLE, `${dependency} is unavailable (${e.code})`, { cause: e });
  }
  return new AppError(Code.INTERNAL, `${dependency} failed (${e.code})`, { cause: e });
}

export function hasCode(err: unknown, code: Code): boolean {
  return err instanceof AppError && err.code === code;
}
