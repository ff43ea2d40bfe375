// Typed request-scoped values, after connect-es' `contextValues`: a key is created once by the
// module that owns the value (an interceptor, usually) and read anywhere with its type. A new
// value (a trace id, say) is a new key and an interceptor pair; no transport or Ctx change.

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
