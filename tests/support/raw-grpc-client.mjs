// Run by Node in the cross-runtime test: a bare @grpc/grpc-js client that sends the request
// bytes it reads (hex) from stdin to <address> <method path> and prints the reply bytes as hex.
// Plain JavaScript so that Node 20 runs it without a TypeScript loader.

import { readFileSync } from "node:fs";
import grpc from "@grpc/grpc-js";

const [address, path] = process.argv.slice(2);
const request = Buffer.from(readFileSync(0, "utf8").trim(), "hex");
const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
  "grpc.max_receive_message_length": 16 * 1024 * 1024,
});
const identity = (b) => b;
client.makeUnaryRequest(
  path,
  identity,
  identity,
  request,
  new grpc.Metadata(),
  { deadline: Date.now() + 15000 },
  (err, reply) => {
    process.stdout.write(err ? `ERR ${err.code} ${err.details}\n` : `${reply.toString("hex")}\n`);
    client.close();
  },
);
