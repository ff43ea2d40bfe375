// A gRPC server on @grpc/grpc-js that dispatches every call through the shared handler table.
// Per call it builds the request context: the call's deadline and client cancellation become
// one AbortSignal; its metadata becomes the Call's headers for the interceptors to read.
// A call that arrives with no deadline (grpcurl, a client without one) gets the server's
// default instead of none, and the reply is raced against the signal as the HTTP gateway's is:
// a handler that never looks at its signal cannot hold a call, and what it holds, forever.

import type { Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { methodPath, newCall } from "../rpc/call.ts";
import { untilAborted } from "../rpc/context.ts";
import { DEFAULT_CALL_TIMEOUT_MS, linkDeadline } from "../rpc/deadline.ts";
import { AppError, codeToNumber } from "../rpc/errors.ts";
import type { HandlerTable, MethodHandler } from "../rpc/handlers.ts";
import { invokeHandler } from "../rpc/handlers.ts";
import { parseMessage, rawBytes, serializer } from "./codec.ts";
import { headersFromMetadata, metadataFromHeaders } from "./metadata.ts";

export interface GrpcServer {
  readonly port: number;
  /** Stops accepting calls, waits up to `graceMs` for in-flight ones, then cuts the rest. */
  shutdown(graceMs?: number): Promise<void>;
}

// Room for large carts and orders; grpc-js' default receive limit is 4 MiB.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface GrpcServerOptions {
  /** The deadline of a call that arrives without one (default 30 s, the gateway's too). */
  readonly defaultTimeoutMs?: number;
  /** Registers further services (reflection, health) before the server binds. */
  readonly extras?: (server: grpc.Server) => void;
}

export async function startGrpcServer(
  table: HandlerTable,
  host: string,
  port: number,
  options: GrpcServerOptions = {},
): Promise<GrpcServer> {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  const byService = new Map<string, Record<string, grpc.MethodDefinition<Buffer, Message>>>();
  const impls = new Map<string, grpc.UntypedServiceImplementation>();
  for (const handler of table.values()) {
    const { method } = handler;
    const name = method.parent.typeName;
    const definition = byService.get(name) ?? {};
    const impl = impls.get(name) ?? {};
    definition[method.localName] = {
      path: methodPath(method),
      requestStream: false,
      responseStream: false,
      requestSerialize: rawBytes,
      requestDeserialize: rawBytes,
      responseSerialize: serializer(method.output),
      responseDeserialize: unusedOnServer,
      originalName: method.name,
    };
    impl[method.localName] = unaryHandler(handler, defaultTimeoutMs);
    byService.set(name, definition);
    impls.set(name, impl);
  }
  for (const [name, definition] of byService) server.addService(definition, impls.get(name) ?? {});
  options.extras?.(server);

  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port: boundPort,
    shutdown: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function unaryHandler(
  handler: MethodHandler,
  defaultTimeoutMs: number,
): grpc.handleUnaryCall<Buffer, Message> {
  return (call, callback) => {
    const { signal, deadline, dispose } = cancellationOf(call, defaultTimeoutMs);
    const rpcCall = newCall(
      handler.method,
      { signal, deadline },
      "server",
      "grpc",
      headersFromMetadata(call.metadata),
    );
    const reply = (err: unknown, res?: Message) => {
      const metadata = metadataFromHeaders(rpcCall.responseHeader);
      if (Object.keys(metadata.getMap()).length > 0) call.sendMetadata(metadata);
      if (err === undefined) callback(null, res);
      else callback(toStatus(err));
    };
    let request: ReturnType<typeof parseMessage>;
    try {
      request = parseMessage(handler.method.input, call.request);
    } catch (err) {
      dispose();
      return reply(err);
    }
    untilAborted(invokeHandler(handler, request, rpcCall), signal)
      .then(
        (res) => reply(undefined, res),
        (err) => reply(err),
      )
      .finally(dispose);
  };
}

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  const appErr = AppError.from(err);
  return { code: codeToNumber(appErr.code), details: appErr.detail };
}

/** The client's cancellation and its grpc-timeout (or the default), linked into one signal. */
function cancellationOf(call: grpc.ServerUnaryCall<Buffer, Message>, defaultTimeoutMs: number) {
  const cancelled = new AbortController();
  const onCancel = () => cancelled.abort(new AppError("CANCELLED", "cancelled by the client"));
  call.on("cancelled", onCancel);
  const rawDeadline = call.getDeadline();
  const at = rawDeadline instanceof Date ? rawDeadline.getTime() : rawDeadline;
  // grpc-js reports "no deadline" as Infinity.
  const limit = Number.isFinite(at)
    ? { at, source: "grpc-timeout" }
    : {
        at: Date.now() + defaultTimeoutMs,
        source: `server default ${defaultTimeoutMs} ms, the call had no deadline`,
      };
  const linked = linkDeadline(cancelled.signal, [limit]);
  return {
    signal: linked.signal,
    deadline: linked.deadline,
    dispose: () => {
      linked.dispose();
      call.removeListener("cancelled", onCancel);
    },
  };
}

// A server never deserializes its own responses; grpc-js' definition type still asks for one.
function unusedOnServer(): never {
  throw new Error("responseDeserialize is not used on the server side");
}
