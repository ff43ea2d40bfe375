// gRPC server reflection (grpc.reflection.v1 and v1alpha) from the maintained @grpc/reflection
// package, fed from the protobuf-es descriptors the services are built from, so that grpcurl,
// grpcui or Postman list and call every method with no .proto files at hand.

import { type DescFile, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { file_grpc_health_v1_health } from "../../gen/proto/grpc/health/v1/health_pb.ts";
import { file_grpc_reflection_v1_reflection } from "../../gen/proto/grpc/reflection/v1/reflection_pb.ts";
import type { AnyService } from "../rpc/call.ts";

/** Registers reflection for `services` (and the health service) on `server`. */
export function addReflection(server: grpc.Server, services: readonly AnyService[]): void {
  const files = new Map<string, Uint8Array>();
  const standard = [file_grpc_health_v1_health, file_grpc_reflection_v1_reflection];
  for (const file of [...services.map((s) => s.file), ...standard]) collectFiles(file, files);
  // The package reads `fileDescriptorProtos` off the entries of a proto-loader package definition.
  const definition = { all: { fileDescriptorProtos: [...files.values()].map((b) => Buffer.from(b)) } };
  new ReflectionService(definition as never).addToServer(server);
}

// A client resolves every import (google/api, buf/validate, well-known types) by file name, so
// each file goes in with all of its transitive dependencies.
function collectFiles(file: DescFile, into: Map<string, Uint8Array>): void {
  if (into.has(file.proto.name)) return;
  into.set(file.proto.name, toBinary(FileDescriptorProtoSchema, file.proto));
  for (const dependency of file.dependencies) collectFiles(dependency, into);
}
