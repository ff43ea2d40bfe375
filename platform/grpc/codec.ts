// Bridges protobuf-es descriptors to @grpc/grpc-js: protobuf-es owns the messages
// (toBinary/fromBinary), grpc-js owns HTTP/2 framing. No protobufjs, no proto-loader.

import { type DescMessage, fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import { AppError } from "../rpc/errors.ts";

export function serializer(schema: DescMessage): (msg: Message) => Buffer {
  return (msg) => {
    const bytes = toBinary(schema, msg);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * Parses a message; malformed bytes are the caller's fault, so they become INVALID_ARGUMENT
 * rather than the INTERNAL grpc-js would answer for a throwing deserializer.
 */
export function parseMessage(schema: DescMessage, bytes: Uint8Array): Message {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new AppError("INVALID_ARGUMENT", `malformed ${schema.typeName} message`, { cause: err });
  }
}

export const rawBytes = (b: Buffer): Buffer => b;
