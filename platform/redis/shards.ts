// Redis shards: one ioredis connection per configured instance, tuned to fail fast.
//
// Why fail fast: every user of Redis here (rate-limit store, product cache) has a local
// fallback, so a command sent while the instance is down must reject at once rather than wait
// in ioredis' offline queue. `enableOfflineQueue: false` and `maxRetriesPerRequest: 0` give
// that; `commandTimeout` bounds a command to an instance that accepts the connection but hangs.
// ioredis reconnects on its own (backoff capped at `maxBackoffMs`), so an instance that comes
// back is used again with no action from us.
//
// Client choice: ioredis 5.x (maintained by Redis, pure JS over node:net) works unchanged on
// Bun and on Deno; ioredis 6.0.0's new handshake rejects on Bun when the offline queue is off,
// node-redis would need its own reconnect/queue tuning for the same behaviour.

import type { Tracer } from "@opentelemetry/api";
import { Redis } from "ioredis";
import type { Logger } from "../observability/logger.ts";
import { traceCommands } from "./tracing.ts";

export interface RedisShard {
  /** Stable identity used for hashing and metric labels: "host:port". */
  readonly id: string;
  readonly client: Redis;
}

export interface ShardOptions {
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly maxBackoffMs?: number;
  /** Each command becomes a child span of the active one; never with keys or values (tracing.ts). */
  readonly tracer?: Tracer;
}

/** Accepts "redis://host:port" or "host:port"; the id is "host:port" either way. */
function parseRedisAddress(address: string): { host: string; port: number; id: string } {
  const url = new URL(address.includes("://") ? address : `redis://${address}`);
  const port = Number(url.port || 6379);
  const host = url.hostname || "127.0.0.1";
  return { host, port, id: `${host}:${port}` };
}

export function connectShards(addresses: readonly string[], logger: Logger, options: ShardOptions = {}) {
  return addresses.map((address): RedisShard => {
    const { host, port, id } = parseRedisAddress(address);
    const client = new Redis({
      host,
      port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: options.connectTimeoutMs ?? 1_000,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), options.maxBackoffMs ?? 1_000),
    });
    if (options.tracer) traceCommands(client, options.tracer, { host, port });
    // Without a listener ioredis prints every failed reconnect; log a shard's loss once per outage.
    let down = false;
    client.on("error", (err: Error) => {
      if (down) return;
      down = true;
      logger.warn({ shard: id, err: err.message }, "redis shard unreachable; callers fall back");
    });
    client.on("ready", () => {
      if (!down) return;
      down = false;
      logger.info({ shard: id }, "redis shard reachable again");
    });
    return { id, client };
  });
}

/**
 * Waits until every shard is connected, or `timeoutMs` has passed: a process starting together
 * with Redis then uses it from its first call (its first rate-limit permits included), while a
 * shard that is down delays the start by `timeoutMs` at most and is used once it comes up.
 */
export async function awaitShards(shards: readonly RedisShard[], timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  const ready = shards.map(({ client }) =>
    client.status === "ready"
      ? undefined
      : new Promise<void>((resolve) => client.once("ready", () => resolve())),
  );
  await Promise.race([Promise.all(ready), timeout]);
  clearTimeout(timer);
}

export async function closeShards(shards: readonly RedisShard[]): Promise<void> {
  await Promise.all(shards.map((s) => s.client.quit().catch(() => s.client.disconnect())));
}
