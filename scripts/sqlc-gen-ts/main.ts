// sqlc process plugin: reads a GenerateRequest (protobuf) on stdin and writes a
// GenerateResponse with TypeScript for the `postgres` driver on stdout. sqlc shows what the
// plugin writes to stderr when it exits non-zero. See generate.ts and emit.ts for the output.

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GenerateRequestSchema, GenerateResponseSchema } from "../../gen/proto/plugin/codegen_pb.ts";
import { generate } from "./generate.ts";

try {
  const request = fromBinary(GenerateRequestSchema, new Uint8Array(await Bun.stdin.arrayBuffer()));
  const encoder = new TextEncoder();
  const files = generate(request).map((f) => ({ name: f.name, contents: encoder.encode(f.contents) }));
  process.stdout.write(toBinary(GenerateResponseSchema, create(GenerateResponseSchema, { files })));
} catch (err) {
  process.stderr.write(`sqlc-gen-ts: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
