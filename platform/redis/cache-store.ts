// The remote cache port (../cache/read-through.ts) over several Redis instances: each key lives
// on the one shard rendezvous hashing picks, so the instances' memory adds up and losing one
// loses only its share of the keys (those reads go to the source until it returns).

import type { RemoteCache } from "../cache/read-through.ts";
import { rendezvousIndex } from "./rendezvous.ts";
import type { RedisShard } from "./shards.ts";

export class ShardedRedisCache implements RemoteCache {
  readonly #ids: readonly string[];

  constructor(
    private readonly shards: readonly RedisShard[],
    private readonly prefix = "cache:",
  ) {
    if (shards.length === 0) throw new Error("ShardedRedisCache needs at least one shard");
    this.#ids = shards.map((s) => s.id);
  }

  #shard(key: string): RedisShard {
    const shard = this.shards[rendezvousIndex(key, this.#ids)];
    if (!shard) throw new Error("no shard");
    return shard;
  }

  shardOf(key: string): string {
    return this.#shard(key).id;
  }

  get(key: string): Promise<string | null> {
    return this.#shard(key).client.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#shard(key).client.set(this.prefix + key, value, "PX", Math.max(1, Math.round(ttlMs)));
  }
}
