// Small helpers for node:http request bodies and JSON replies, shared by every HTTP endpoint.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { JsonValue } from "@bufbuild/protobuf";
import { AppError } from "../rpc/errors.ts";

/** Reads the body as UTF-8, refusing (413) anything larger than `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(buf);
  }
  const bytes = Buffer.concat(chunks);
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  try {
    return text.decode(bytes);
  } catch {
    throw AppError.invalidArgument("request body is not valid UTF-8");
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("INVALID_ARGUMENT", `request body exceeds ${maxBytes} bytes`, { httpStatus: 413 });
}

export function sendJson(res: ServerResponse, status: number, body: JsonValue): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { code, message });
}
