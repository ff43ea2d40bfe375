// Typed request-scoped values, after connect-es' `contextValues`, and every key the platform
// defines. The keys live here, not in the interceptors that fill them, so that whatever reads a
// value (a repository storing the request id, a client sending the token on, an event consumer
// continuing a trace) imports the concept rather than an interceptor. A new value is a new key
// here and an interceptor pair in rpc/interceptors/metadata.ts; no transport or Ctx change.

import { type Context, ROOT_CONTEXT } from "@opentelemetry/api";
import type { Ctx } from "./context.ts";

export interface ContextKey<T> {
  readonly id: symbol;
  readonly defaultValue: T;
}

export type ContextValues = ReadonlyMap<symbol, unknown>;

export function createContextKey<T>(defaultValue: T, description: string): ContextKey<T> {
  return { id: Symbol(description), defaultValue };
}

export function getValue<T>(ctx: Ctx, key: ContextKey<T>): T {
  const values = ctx.values;
  return values?.has(key.id) ? (values.get(key.id) as T) : key.defaultValue;
}

/** A copy of `ctx` with `key` set; contexts are immutable, so the caller's stays as it was. */
export function withValue<T>(ctx: Ctx, key: ContextKey<T>, value: T): Ctx {
  const values = new Map(ctx.values);
  values.set(key.id, value);
  return { ...ctx, values };
}

/**
 * Correlates one request's log lines across services (`x-request-id`): set by the server side of
 * rpc/interceptors/request-id.ts, or by whatever starts work from a message (an event consumer).
 */
export const requestIdKey = createContextKey<string | undefined>(undefined, "request id");

/**
 * Request ids are logged, stored in the outbox and echoed back, so only a bounded, harmless
 * shape is kept: up to 128 characters of [A-Za-z0-9._:-]. Anything else is replaced by a fresh id.
 */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id when it is well formed, else undefined: for ids from headers or Kafka messages. */
export function wellFormedRequestId(raw: string | null | undefined): string | undefined {
  return raw != null && WELL_FORMED_REQUEST_ID.test(raw) ? raw : undefined;
}

/**
 * The caller's token (`x-auth-token`, rpc/interceptors/auth-token.ts), sent on only by clients
 * that run `sendAuthTokenInterceptor`. Nothing serializes context values, so it never reaches logs.
 */
export const authTokenKey = createContextKey<string | undefined>(undefined, "auth token");

/**
 * The OpenTelemetry context of the current span, or of the remote parent before one starts
 * (rpc/interceptors/trace-context.ts fills it, tracing.ts replaces it with its own span).
 */
export const traceContextKey = createContextKey<Context>(ROOT_CONTEXT, "trace context");
