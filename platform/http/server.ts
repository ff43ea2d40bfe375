// Each service's HTTP port: fixed endpoints (/healthz, /readyz, /metrics, /docs...) first, then
// a fallback (the gateway, when the service has one). Unexpected failures answer a JSON 500.
// Every request, also one rejected before any handler (unknown route, bad path, oversized
// body), is observed once when its response ends: route template (never the raw path, which
// would give unbounded label values), verb, status and duration, for metrics and a log line.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../observability/logger.ts";
import type { Call } from "../rpc/call.ts";
import { sendError } from "./io.ts";

/** `exchange` is this request's record for its observation; the gateway attaches its Call to it. */
export type Endpoint = (
  req: IncomingMessage,
  res: ServerResponse,
  exchange: HttpExchange,
) => Promise<void> | void;

interface HttpExchange {
  /** The Call the gateway made for the request: its route template and ids label the observation. */
  call?: Call;
}

export interface HttpObservation {
  readonly route: string;
  readonly verb: string;
  /** The status sent, or 499 when the client went away before the answer. */
  readonly status: number;
  readonly seconds: number;
}

/** Probes and scrapes arrive every few seconds: their lines go to debug, not info. */
const QUIET = new Set(["/healthz", "/readyz", "/metrics"]);

export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish for up to `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer(options: {
  host: string;
  port: number;
  endpoints: Readonly<Record<string, Endpoint>>;
  fallback?: Endpoint;
  logger: Logger;
  observe?: (observation: HttpObservation) => void;
}): Promise<HttpServer> {
  const { endpoints, fallback, logger } = options;
  const server = createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const exchange: HttpExchange = {};
    res.once("close", () => {
      const { call } = exchange;
      const observation = {
        route: call?.route ?? (endpoints[path] ? path : "(unmatched)"),
        verb: req.method ?? "",
        status: res.writableFinished ? res.statusCode : 499,
        seconds: (performance.now() - started) / 1000,
      };
      options.observe?.(observation);
      const level = QUIET.has(observation.route) && observation.status < 400 ? "debug" : "info";
      logger[level](
        {
          http_route: observation.route,
          verb: observation.verb,
          status: observation.status,
          duration_ms: Math.round(observation.seconds * 10_000) / 10,
          ...call?.correlation,
        },
        "http request",
      );
    });
    const endpoint = endpoints[path] ?? fallback;
    const run = async () => {
      if (!endpoint) return sendError(res, 404, "NOT_FOUND", `no route for ${req.method} ${path}`);
      await endpoint(req, res, exchange);
    };
    run().catch((err: unknown) => {
      logger.error({ err, path }, "http endpoint failed");
      sendError(res, 500, "INTERNAL", "internal error");
    });
  });
  // Reject slow-loris style clients and stale keep-alive sockets.
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  await listen(server, options.host, options.port);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return { port, close: (graceMs = 10_000) => close(server, graceMs) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
