// The whole system in-process for end-to-end tests: embedded Postgres in a temp dir, every
// service on ephemeral ports, and small HTTP helpers for talking to the gateways.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../platform/observability/logger.ts";
import { type EmbeddedSystem, startEmbeddedSystem } from "../../scripts/embedded-system.ts";
import { freePort } from "./free-port.ts";

/** Every service on ports the OS picks (for tests and the bench). */
export const EPHEMERAL_PORTS: Readonly<Record<string, string>> = {
  CART_HTTP_PORT: "0",
  CART_GRPC_PORT: "0",
  LOMS_HTTP_PORT: "0",
  LOMS_GRPC_PORT: "0",
  PRODUCT_MOCK_HTTP_PORT: "0",
  PRODUCT_MOCK_GRPC_PORT: "0",
  NOTIFICATIONS_HTTP_PORT: "0",
};

/** Ports 0 everywhere; generous product limits so tests are not throttled unless they ask. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  ...EPHEMERAL_PORTS,
  PRODUCT_MOCK_RPS: "1000",
  CART_PRODUCT_RPS_LIMIT: "1000",
  PRODUCT_MOCK_LATENCY_MS: "0",
  PRODUCT_MOCK_LATENCY_JITTER_MS: "0",
  PRODUCT_MOCK_GENERATED: "100",
};

export interface TestSystem extends EmbeddedSystem {
  readonly cartUrl: string;
  readonly lomsUrl: string;
  readonly productUrl: string;
  readonly notificationsUrl: string;
  /** Stops the services and Postgres but keeps the data dir (for restart tests). */
  stop(): Promise<void>;
  /** Starts everything again on the same data. */
  restart(): Promise<TestSystem>;
  /** Stops and deletes the data dir. */
  destroy(): Promise<void>;
}

export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), "marketplace-e2e-"));
  return boot(dir, await freePort(), { ...TEST_ENV, ...env });
}

async function boot(dir: string, pgPort: number, env: Record<string, string>): Promise<TestSystem> {
  const system = await startEmbeddedSystem(env, { dir, port: pgPort }, createLogger("e2e"));
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    ...system,
    cartUrl: url(system.ports.cart.http),
    lomsUrl: url(system.ports.loms.http),
    productUrl: url(system.ports.product.http),
    notificationsUrl: url(system.ports.notifications.http),
    restart: async () => {
      await system.stop();
      return boot(dir, pgPort, env);
    },
    destroy: async () => {
      await system.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface HttpReply {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** Sends a request; objects are JSON-encoded, strings and bytes are sent as they are. */
export async function http(method: string, url: string, body?: unknown, headers?: Record<string, string>) {
  const send = () =>
    fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body:
        body === undefined || typeof body === "string"
          ? body
          : body instanceof Uint8Array
            ? new Blob([new Uint8Array(body)])
            : JSON.stringify(body),
    });
  // fetch keeps connections alive. After a restart a new server may get the old one's ephemeral
  // port, and the pooled socket the old server closed then fails with a reset before the request
  // reaches anyone: retry once on a fresh connection. A server that really died refuses the retry.
  const res = await send().catch((err: unknown) => {
    if (!isConnectionReset(err)) throw err;
    return send();
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text } satisfies HttpReply;
}

function isConnectionReset(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === "ECONNRESET" || /ECONNRESET|connection reset|socket connection was closed/i.test(String(message))
  );
}
