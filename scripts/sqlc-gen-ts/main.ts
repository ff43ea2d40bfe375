// sqlc process plugin: reads a GenerateRequest (protobuf) on stdin and writes a
// GenerateResponse with TypeScript for the `postgres` driver on stdout. See emit.ts for the
// shape of the generated code. Errors go to stderr and fail sqlc.

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GenerateRequestSchema, GenerateResponseSchema } from "../../gen/proto/plugin/codegen_pb.ts";
import { generate } from "./emit.ts";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const request = fromBinary(GenerateRequestSchema, Buffer.concat(chunks));
try {
  const files = generate(request).map((f) => ({
    name: f.name,
    contents: new TextEncoder().encode(f.contents),
  }));
  process.stdout.write(toBinary(GenerateResponseSchema, create(GenerateResponseSchema, { files })));
} catch (err) {
  process.stderr.write(`sqlc-gen-ts: ${(err as Error).message}\n`);
  process.exit(1);
}
