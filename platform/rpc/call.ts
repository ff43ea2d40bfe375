// Transport-neutral RPC types shared by the gRPC server, the gRPC client and the HTTP gateway,
// so that one interceptor (logging, validation, metrics, rate limiting) serves all three.

import type { DescMethod, Message, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { Ctx } from "./context.ts";

export interface Call {
  readonly method: DescMethod;
  readonly ctx: Ctx;
  /** "server": handling an incoming call; "client": making an outgoing one. */
  readonly side: "server" | "client";
  /** How the call travels, as data: interceptors read it rather than name transports. */
  readonly protocol: Protocol;
  /** The HTTP route template the gateway matched (`/user/{user_id}/cart`); absent for gRPC. */
  readonly route: string | undefined;
  /**
   * Request headers, lower-cased (gRPC metadata or HTTP headers). Server side: what arrived.
   * Client side: what will be sent; client interceptors add to it.
   */
  readonly header: Headers;
  /** Server side: headers to send back (HTTP response headers / gRPC initial metadata). */
  readonly responseHeader: Headers;
  /**
   * The call's ids for log lines, recorded by the logging interceptor. One object shared by every
   * copy an interceptor passes on (`{ ...call, ctx }`), so that the transport that made the call
   * reads them after the answer, when the handler's context is gone (the HTTP server's line).
   */
  readonly correlation: Correlation;
}

interface Correlation {
  request_id?: string;
  trace_id?: string;
  span_id?: string;
}

export interface Protocol {
  /** A gRPC socket, the HTTP gateway, or in-process (platform/inproc); named in logs and spans. */
  readonly name: "grpc" | "http" | "inproc";
  /**
   * The transport observes each request itself: the HTTP server counts http_requests_total and
   * writes one "http request" line for every request, also one refused before any handler runs.
   * The server-side metrics and logging interceptors then leave the count and the info line to
   * it, so that no request is counted or logged at info twice.
   */
  readonly observesRequests: boolean;
}

const protocols: Readonly<Record<Protocol["name"], Protocol>> = {
  grpc: { name: "grpc", observesRequests: false },
  http: { name: "http", observesRequests: true },
  inproc: { name: "inproc", observesRequests: false },
};

/** A fresh call: the transports build every Call through this, so its shape has one source. */
export function newCall(
  method: DescMethod,
  ctx: Ctx,
  side: Call["side"],
  protocol: Protocol["name"],
  header = new Headers(),
  route?: string,
): Call {
  return {
    method,
    ctx,
    side,
    protocol: protocols[protocol],
    route,
    header,
    responseHeader: new Headers(),
    correlation: {},
  };
}

export type UnaryFn = (req: Message, call: Call) => Promise<Message>;

/** Wraps a unary call; the first interceptor in a list is the outermost. */
export type Interceptor = (next: UnaryFn) => UnaryFn;

export function chain(interceptors: readonly Interceptor[], last: UnaryFn): UnaryFn {
  return interceptors.reduceRight<UnaryFn>((next, interceptor) => interceptor(next), last);
}

/** "/package.Service/Method", the gRPC path of a method; also its name in logs and metrics. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

// biome-ignore lint/suspicious/noExplicitAny: mirrors protobuf-es' own constraint on GenService.
export type AnyService = GenService<any>;

type Methods<S extends AnyService> = S extends GenService<infer M extends GenServiceMethods> ? M : never;

/** What a service implements: one async function per unary method, taking the request context. */
export type ServiceImpl<S extends AnyService> = {
  [K in keyof Methods<S>]: (
    req: MessageShape<Methods<S>[K]["input"]>,
    ctx: Ctx,
  ) => Promise<MessageInitShape<Methods<S>[K]["output"]>>;
};

/** What a client offers: the same functions, returning full messages. */
export type ServiceClient<S extends AnyService> = {
  [K in keyof Methods<S>]: (
    req: MessageInitShape<Methods<S>[K]["input"]>,
    ctx: Ctx,
  ) => Promise<MessageShape<Methods<S>[K]["output"]>>;
};

/** A service registered on a server: its descriptor and implementation. */
export interface ServiceBinding {
  readonly service: AnyService;
  // biome-ignore lint/suspicious/noExplicitAny: erased on purpose; `bindService` checks the pairing.
  readonly impl: Record<string, (req: any, ctx: Ctx) => Promise<any>>;
}

export function bindService<S extends AnyService>(service: S, impl: ServiceImpl<S>): ServiceBinding {
  return { service, impl: impl as ServiceBinding["impl"] };
}
