// The HTTP/JSON gateway: binds path variables, query parameters and the JSON body into the
// request message (path wins over query, query over body), calls the method through the same
// handler chain as gRPC, and writes protobuf JSON or a `{code, message}` error.
// Every malformed request ends as a 4xx here, before any business logic runs.

import type { IncomingMessage, ServerResponse } from "node:http";
import {
  create,
  fromJson,
  type JsonObject,
  type JsonValue,
  type Message,
  mergeFromJson,
} from "@bufbuild/protobuf";
import { newCall } from "../rpc/call.ts";
import { untilAborted } from "../rpc/context.ts";
import { DEFAULT_CALL_TIMEOUT_MS, linkDeadline } from "../rpc/deadline.ts";
import { AppError, httpStatusOf } from "../rpc/errors.ts";
import type { HandlerTable } from "../rpc/handlers.ts";
import { invokeHandler } from "../rpc/handlers.ts";
import { readBody, sendError, sendJson } from "./io.ts";
import { toJsonObject } from "./proto-json.ts";
import { compileRoutes, matchRoute, type Route } from "./routes.ts";
import type { Endpoint } from "./server.ts";

export interface GatewayOptions {
  /** Requests without an earlier deadline are cut off after this long. */
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
}

export function createGateway(
  table: HandlerTable,
  options: GatewayOptions = {},
): {
  routes: readonly Route[];
  handle: Endpoint;
} {
  const routes = compileRoutes(table);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  const handle: Endpoint = async (req, res, exchange) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const verb = req.method ?? "GET";
    const match = matchRoute(routes, verb, url.pathname);
    if (match.kind === "not-found") {
      return sendError(res, 404, "NOT_FOUND", `no route for ${verb} ${url.pathname}`);
    }
    if (match.kind === "wrong-method") {
      res.setHeader("allow", match.allowed.join(", "));
      return sendError(res, 405, "UNIMPLEMENTED", `${verb} is not allowed on ${url.pathname}`);
    }
    const { route, params } = match;
    const { signal, deadline, dispose } = cancellationOf(res, timeoutMs);
    const call = newCall(
      route.handler.method,
      { signal, deadline },
      "server",
      "http",
      headersOf(req),
      route.template,
    );
    // The HTTP server's metrics and log line for this request read the route and ids from the call.
    exchange.call = call;
    try {
      const body = route.body === "*" ? await readBody(req, maxBodyBytes) : "";
      const request = bindRequest(route, params, url.searchParams, body);
      // Raced against the call's signal: a handler that misses its deadline (or never looks at
      // it) cannot hold the answer past the gateway's timeout.
      const reply = await untilAborted(invokeHandler(route.handler, request, call), signal);
      sendHeaders(res, call.responseHeader);
      sendReply(res, route, reply);
    } catch (err) {
      sendHeaders(res, call.responseHeader);
      sendAppError(res, AppError.from(err));
    } finally {
      dispose();
    }
  };
  return { routes, handle };
}

function sendReply(res: ServerResponse, route: Route, reply: Message): void {
  const output = route.handler.method.output;
  if (route.verb === "DELETE" && output.fields.length === 0) {
    res.writeHead(204).end();
    return;
  }
  sendJson(res, 200, toJsonObject(output, reply));
}

function sendAppError(res: ServerResponse, err: AppError): void {
  const status = err.httpStatus ?? httpStatusOf(err.code);
  // An oversized body may still be arriving: answer, then drop the connection.
  if (status === 413) res.setHeader("connection", "close");
  sendError(res, status, err.code, err.detail);
}

function bindRequest(
  route: Route,
  params: ReadonlyMap<{ name: string }, string>,
  query: URLSearchParams,
  body: string,
): Message {
  const schema = route.handler.method.input;
  try {
    const message = body.trim() === "" ? create(schema) : fromJson(schema, parseObject(body));
    const fromQuery: JsonObject = {};
    for (const key of new Set(query.keys())) {
      const values = query.getAll(key);
      fromQuery[key] = values.length === 1 ? (values[0] ?? "") : values;
    }
    mergeFromJson(schema, message, fromQuery);
    const fromPath: JsonObject = {};
    for (const [field, raw] of params) fromPath[field.name] = decodeSegment(raw);
    mergeFromJson(schema, message, fromPath);
    return message;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("INVALID_ARGUMENT", `invalid request: ${(err as Error).message}`, { cause: err });
  }
}

function parseObject(text: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new AppError("INVALID_ARGUMENT", `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw AppError.invalidArgument("request body must be a JSON object");
  }
  return value;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw AppError.invalidArgument(`malformed path segment "${raw}"`);
  }
}

/** The client closing the connection and the gateway's timeout, linked into one signal. */
function cancellationOf(res: ServerResponse, timeoutMs: number) {
  const closed = new AbortController();
  // The client went away before we answered: stop the work done on its behalf.
  const onClose = () => {
    if (!res.writableFinished) closed.abort(new AppError("CANCELLED", "client closed the connection"));
  };
  res.on("close", onClose);
  const linked = linkDeadline(closed.signal, [{ at: Date.now() + timeoutMs, source: "gateway timeout" }]);
  return {
    signal: linked.signal,
    deadline: linked.deadline,
    dispose: () => {
      linked.dispose();
      res.removeListener("close", onClose);
    },
  };
}

/** The Call's response headers onto the HTTP response: the only place they are copied out. */
function sendHeaders(res: ServerResponse, headers: Headers): void {
  headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
}

/** The request's headers as the Call carries them, the only place they are copied in (Node lower-cases names). */
function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}
