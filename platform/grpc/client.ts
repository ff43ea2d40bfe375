// Typed gRPC clients over @grpc/grpc-js. Each call takes the caller's context: its signal
// cancels the call, its deadline (or the client's default timeout, whichever is sooner) becomes
// the gRPC deadline, and the Call's headers, filled by the interceptors (request id, auth token
// first, then the owner's: logging, rate limiting...), go out as metadata.

import { create, type DescMethod, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { inProcessCall, inProcessHandler } from "../inproc/channel.ts";
import {
  type AnyService,
  type Call,
  chain,
  type Interceptor,
  methodPath,
  newCall,
  type ServiceClient,
} from "../rpc/call.ts";
import { linkClientDeadline } from "../rpc/deadline.ts";
import { AppError, codeFromNumber } from "../rpc/errors.ts";
import { metadataInterceptors } from "../rpc/interceptors/metadata.ts";
import { parseMessage, rawBytes, serializer } from "./codec.ts";
import { metadataFromHeaders } from "./metadata.ts";

export interface GrpcClientOptions {
  readonly address: string;
  readonly interceptors?: readonly Interceptor[];
  /** Upper bound for a call when the caller's context has no earlier deadline. */
  readonly timeoutMs?: number;
  /** Call a server of this same process directly when one listens at `address` (embedded mode). */
  readonly inProcess?: boolean;
}

export type GrpcClient<S extends AnyService> = ServiceClient<S> & { close(): void };

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function createGrpcClient<S extends AnyService>(
  service: S,
  options: GrpcClientOptions,
): GrpcClient<S> {
  const channel = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client: Record<string, unknown> = { close: () => channel.close() };
  for (const method of service.methods) {
    const path = methodPath(method);
    const local = () => (options.inProcess ? inProcessHandler(options.address, path) : undefined);
    const send = chain([...metadataInterceptors, ...(options.interceptors ?? [])], (req, call) => {
      const handler = call.protocol.name === "inproc" ? local() : undefined;
      return handler
        ? inProcessCall(handler, req, call, timeoutMs)
        : unaryCall(channel, method, req, call, timeoutMs);
    });
    client[method.localName] = (req: MessageInitShape<typeof method.input>, ctx: Call["ctx"]) =>
      send(create(method.input, req), newCall(method, ctx, "client", local() ? "inproc" : "grpc"));
  }
  return client as GrpcClient<S>;
}

function unaryCall(
  channel: grpc.Client,
  method: DescMethod,
  req: Message,
  call: Call,
  timeoutMs: number,
): Promise<Message> {
  const { signal, deadline, dispose } = linkClientDeadline(call.ctx, timeoutMs);
  if (signal.aborted) {
    dispose();
    return Promise.reject(signal.reason);
  }
  return new Promise<Message>((resolve, reject) => {
    const onAbort = () => pending.cancel();
    const pending = channel.makeUnaryRequest(
      methodPath(method),
      serializer(method.input),
      rawBytes,
      req,
      metadataFromHeaders(call.header),
      { deadline: deadline ?? Number.POSITIVE_INFINITY },
      (err, bytes) => {
        signal.removeEventListener("abort", onAbort);
        dispose();
        if (signal.aborted) return reject(signal.reason);
        if (err) return reject(fromServiceError(method, err));
        try {
          resolve(parseMessage(method.output, bytes ?? Buffer.alloc(0)));
        } catch (parseErr) {
          reject(AppError.internal(`malformed response from ${methodPath(method)}`, parseErr));
        }
      },
    );
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function fromServiceError(method: DescMethod, err: grpc.ServiceError): AppError {
  const code = codeFromNumber(err.code);
  return new AppError(code, `${method.parent.name}.${method.name}: ${err.details}`, { cause: err });
}
