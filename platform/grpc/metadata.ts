// gRPC metadata ↔ the Call's Headers: the only place either direction is converted. Binary
// (`-bin`) entries are left out: no interceptor reads them, and Headers carries text only.

import * as grpc from "@grpc/grpc-js";

export function headersFromMetadata(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (key.endsWith("-bin") || typeof values !== "string") continue;
    headers.set(key, values);
  }
  return headers;
}

export function metadataFromHeaders(headers: Headers): grpc.Metadata {
  const metadata = new grpc.Metadata();
  headers.forEach((value, key) => {
    metadata.add(key, value);
  });
  return metadata;
}
