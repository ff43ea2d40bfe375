// A gRPC server on @grpc/grpc-js that dispatches every call through the shared handler table.
// Per call it builds the request context: the call's deadline and client cancellation become
// one AbortSignal, and x-auth-token / x-request-id metadata travel along with it.

import { randomUUID } from "node:crypto";
import type { Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { Ctx } from "./context.ts";
import { AppError, codeToNumber } from "./errors.ts";
import { parseMessage, rawBytes, serializer } from "./grpc-codec.ts";
import type { HandlerTable, MethodHandler } from "./handlers.ts";
import { invokeHandler } from "./handlers.ts";
import { methodPath } from "./rpc.ts";

export interface GrpcServer {
  readonly port: number;
  /** Stops accepting calls, waits up to `graceMs` for in-flight ones, then cuts the rest. */
  shutdown(graceMs?: number): Promise<void>;
}

// Room for large carts and orders; grpc-js' default receive limit is 4 MiB.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** `extras` registers further services (reflection, health) before the server binds. */
export async function startGrpcServer(
  table: HandlerTable,
  host: string,
  port: number,
  extras?: (server: grpc.Server) => void,
): Promise<GrpcServer> {
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
    impl[method.localName] = unaryHandler(handler);
    byService.set(name, definition);
    impls.set(name, impl);
  }
  for (const [name, definition] of byService) server.addService(definition, impls.get(name) ?? {});
  extras?.(server);

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

function unaryHandler(handler: MethodHandler): grpc.handleUnaryCall<Buffer, Message> {
  return (call, callback) => {
    const { ctx, dispose } = contextOf(call);
    let request: ReturnType<typeof parseMessage>;
    try {
      request = parseMessage(handler.method.input, call.request);
    } catch (err) {
      dispose();
      return callback(toStatus(err));
    }
    invokeHandler(handler, request, { method: handler.method, ctx, side: "server", transport: "grpc" })
      .then(
        (res) => callback(null, res),
        (err) => callback(toStatus(err)),
      )
      .finally(dispose);
  };
}

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  const appErr = AppError.from(err);
  return { code: codeToNumber(appErr.code), details: appErr.detail };
}

function contextOf(call: grpc.ServerUnaryCall<Buffer, Message>): { ctx: Ctx; dispose: () => void } {
  const controller = new AbortController();
  const onCancel = () => controller.abort(new AppError("CANCELLED", "cancelled by the client"));
  call.on("cancelled", onCancel);
  const rawDeadline = call.getDeadline();
  const deadline = rawDeadline instanceof Date ? rawDeadline.getTime() : rawDeadline;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (Number.isFinite(deadline)) {
    timer = setTimeout(
      () => controller.abort(new AppError("DEADLINE_EXCEEDED", "deadline exceeded")),
      Math.max(0, deadline - Date.now()),
    );
  }
  const ctx: Ctx = {
    signal: controller.signal,
    deadline: Number.isFinite(deadline) ? deadline : undefined,
    authToken: firstString(call.metadata, "x-auth-token"),
    requestId: firstString(call.metadata, "x-request-id") ?? randomUUID(),
  };
  return {
    ctx,
    dispose: () => {
      clearTimeout(timer);
      call.removeListener("cancelled", onCancel);
    },
  };
}

function firstString(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" && value !== "" ? value : undefined;
}

// A server never deserializes its own responses; grpc-js' definition type still asks for one.
function unusedOnServer(): never {
  throw new Error("responseDeserialize is not used on the server side");
}
