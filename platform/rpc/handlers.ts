// Turns service implementations into one table of chained unary handlers, keyed by gRPC path.
// The gRPC server and the HTTP gateway both dispatch through this table, so an HTTP request
// passes exactly the same interceptors (validation, logging, metrics) as a gRPC call.

import { create, type DescMethod } from "@bufbuild/protobuf";
import { type Call, chain, type Interceptor, methodPath, type ServiceBinding, type UnaryFn } from "./call.ts";
import { AppError } from "./errors.ts";

export interface MethodHandler {
  readonly method: DescMethod;
  /** The implementation behind every server-side interceptor. */
  readonly invoke: UnaryFn;
}

export type HandlerTable = ReadonlyMap<string, MethodHandler>;

export function buildHandlers(
  bindings: readonly ServiceBinding[],
  interceptors: readonly Interceptor[],
): HandlerTable {
  const table = new Map<string, MethodHandler>();
  for (const { service, impl } of bindings) {
    for (const method of service.methods) {
      if (method.methodKind !== "unary") {
        throw new Error(`${methodPath(method)}: only unary methods are supported`);
      }
      const fn = impl[method.localName];
      if (typeof fn !== "function") throw new Error(`${methodPath(method)} is not implemented`);
      const last: UnaryFn = async (req, call: Call) => {
        const out = await fn(req, call.ctx);
        return create(method.output, out);
      };
      table.set(methodPath(method), { method, invoke: chain(interceptors, last) });
    }
  }
  return table;
}

/** Runs a handler and normalizes whatever it throws. */
export async function invokeHandler(handler: MethodHandler, req: Parameters<UnaryFn>[0], call: Call) {
  try {
    return await handler.invoke(req, call);
  } catch (err) {
    throw AppError.from(err);
  }
}
