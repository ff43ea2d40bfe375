// In-process calls between services hosted by one process (embedded mode). A client created
// with `inProcess: true` looks its address up here on every call; when a server of this process
// listens there, the call skips grpc-js and loopback HTTP/2 but keeps everything else a gRPC
// call has:
// - the same client interceptor chain (it wraps this transport like the socket one) and the
//   same server chain (metrics, logging, validation, the service's own interceptors), through
//   the very handler table the gRPC server and the gateway use;
// - messages cross as protobuf bytes (encoded, then decoded into fresh messages), so neither
//   side can alias the other's objects and what validation sees is what the wire would carry;
// - the server side gets its own context: a signal linked to the caller's, the earlier of the
//   caller's deadline and the client timeout, and the request headers the client interceptors
//   set (request id, auth token), from which its own interceptors build the context values;
// - errors arrive as the same AppError code, with the message a gRPC client would show.
// A server unregisters when it stops, and later calls go over the socket (and fail as they would).

import { fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import { type Call, newCall } from "../rpc/call.ts";
import { linkClientDeadline } from "../rpc/deadline.ts";
import { AppError } from "../rpc/errors.ts";
import { type HandlerTable, invokeHandler, type MethodHandler } from "../rpc/handlers.ts";

const servers = new Map<string, HandlerTable>();

/** Makes `table` reachable in-process at `address` ("host:port"); returns the undo. */
export function registerInProcess(address: string, table: HandlerTable): () => void {
  servers.set(address, table);
  return () => {
    if (servers.get(address) === table) servers.delete(address);
  };
}

export function inProcessHandler(address: string, path: string): MethodHandler | undefined {
  return servers.get(address)?.get(path);
}

/** Calls `handler` (from inProcessHandler) as a gRPC client would call its server. */
export async function inProcessCall(handler: MethodHandler, req: Message, call: Call, timeoutMs: number) {
  const { method } = handler;
  const { signal, deadline, dispose } = linkClientDeadline(call.ctx, timeoutMs);
  try {
    signal.throwIfAborted();
    const request = fromBinary(method.input, toBinary(method.input, req));
    // The server side starts from the headers alone, as over the wire: its metadata
    // interceptors turn them into context values (request id, auth token).
    const serverCall = newCall(method, { signal, deadline }, "server", "inproc", new Headers(call.header));
    const response = await invokeHandler(handler, request, serverCall);
    return fromBinary(method.output, toBinary(method.output, response));
  } catch (err) {
    const appErr = AppError.from(err);
    throw new AppError(appErr.code, `${method.parent.name}.${method.name}: ${appErr.detail}`, { cause: err });
  } finally {
    dispose();
  }
}
