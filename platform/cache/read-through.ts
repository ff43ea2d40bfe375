// Cache-aside reads in two layers: a small in-process LRU, then a shared remote cache (Redis,
// sharded), then the loader (the source of truth). What the loader returns is written back to
// both layers; `null` ("the source does not know this key") is cached too, for a shorter time,
// so that a stream of look-ups of an unknown key does not reach the source each time.
//
// - Concurrent misses of one key run one load (see coalesce.ts); the others share its result.
// - The remote layer is an optimisation only: any error there counts in the metrics and the
//   read goes on to the loader, so a cache outage degrades to the source, never to an error;
//   what could not be written there is kept locally for the remote TTL.
// - Metrics: cache_lookups_total{cache, layer, shard, result} with result hit | miss | error,
//   the local layer labelled shard="local".

import { Counter, type Registry } from "prom-client";
import { Coalescer } from "./coalesce.ts";
import { LruCache } from "./lru.ts";

/** Port: a shared string cache with expiry. Methods reject when the cache is unreachable. */
export interface RemoteCache {
  /** The shard that owns the key (a metric label). */
  shardOf(key: string): string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export interface ReadThroughOptions {
  /** Names the cache in metrics. */
  readonly name: string;
  readonly localCapacity: number;
  readonly localTtlMs: number;
  readonly remoteTtlMs: number;
  /** How long "not found" is remembered, in both layers. */
  readonly negativeTtlMs: number;
  readonly remote?: RemoteCache;
  readonly registry?: Registry;
  readonly now?: () => number;
}

/** `T` must survive JSON round trips; `null` means "the source does not have it". */
export class ReadThroughCache<T> {
  readonly #local: LruCache<T | null>;
  readonly #flights = new Coalescer<T | null>();
  readonly #lookups: Counter<"cache" | "layer" | "shard" | "result">;

  constructor(private readonly options: ReadThroughOptions) {
    this.#local = new LruCache(options.localCapacity, options.now);
    this.#lookups = new Counter({
      name: "cache_lookups_total",
      help: "Cache look-ups by cache, layer (local/remote), shard and result (hit/miss/error).",
      labelNames: ["cache", "layer", "shard", "result"] as const,
      registers: options.registry ? [options.registry] : [],
    });
  }

  get(key: string, load: (signal: AbortSignal) => Promise<T | null>, signal: AbortSignal): Promise<T | null> {
    const local = this.#local.get(key);
    this.#count("local", "local", local ? "hit" : "miss");
    if (local) return Promise.resolve(local.value);
    return this.#flights.run(key, (s) => this.#fill(key, load, s), signal);
  }

  async #fill(key: string, load: (signal: AbortSignal) => Promise<T | null>, signal: AbortSignal) {
    const remote = this.options.remote;
    if (remote) {
      const shard = remote.shardOf(key);
      try {
        const raw = await remote.get(key);
        this.#count("remote", shard, raw === null ? "miss" : "hit");
        if (raw !== null) {
          const value = JSON.parse(raw) as T | null;
          this.#local.set(key, value, value === null ? this.options.negativeTtlMs : this.options.localTtlMs);
          return value;
        }
      } catch {
        this.#count("remote", shard, "error");
      }
    }
    return this.#store(key, await load(signal));
  }

  /** Loads from the source whatever is cached (no coalescing), and caches the result. */
  async reload(key: string, load: (signal: AbortSignal) => Promise<T | null>, signal: AbortSignal) {
    return this.#store(key, await load(signal));
  }

  async #store(key: string, value: T | null): Promise<T | null> {
    const { localTtlMs, remoteTtlMs, negativeTtlMs, remote } = this.options;
    this.#local.set(key, value, value === null ? negativeTtlMs : localTtlMs);
    if (remote) {
      try {
        await remote.set(key, JSON.stringify(value), value === null ? negativeTtlMs : remoteTtlMs);
      } catch {
        this.#count("remote", remote.shardOf(key), "error");
        // The short local TTL assumes the shared layer holds the entry behind it. It does not,
        // so the local layer keeps it for the shared lifetime instead: otherwise a Redis outage
        // would send every key back to the source every local TTL, spending the very budget
        // the cache is there to save.
        if (value !== null) this.#local.set(key, value, remoteTtlMs);
      }
    }
    return value;
  }

  #count(layer: string, shard: string, result: string): void {
    this.#lookups.inc({ cache: this.options.name, layer, shard, result });
  }
}
