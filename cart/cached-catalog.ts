// The product catalog behind a read-through cache (platform/cache): listings and adds ask for
// the same few thousand products over and over, while the product service allows 10 calls a
// second. Names and prices may be up to a TTL stale; an unknown SKU is remembered briefly.
//
// Product info is the same whatever token asks for it, so entries are keyed by SKU alone. The
// product service is also what checks tokens, though, so the cache serves only callers whose
// token the product service accepted recently: a token not seen accepted within `tokenTtlMs`
// goes to the product service (and is refused there if bad) before it may read the cache.

import { LruCache } from "../platform/cache/lru.ts";
import type { ReadThroughCache } from "../platform/cache/read-through.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { authTokenKey, getValue } from "../platform/rpc/context-values.ts";
import type { Product } from "./model.ts";
import type { ProductCatalog } from "./ports.ts";

const DEFAULT_TOKEN = "\u0000configured";

export class CachedProductCatalog implements ProductCatalog {
  readonly #acceptedTokens = new LruCache<true>(10_000);

  constructor(
    private readonly source: ProductCatalog,
    private readonly cache: ReadThroughCache<Product>,
    private readonly tokenTtlMs: number,
  ) {}

  async get(ctx: Ctx, sku: number): Promise<Product | null> {
    const token = getValue(ctx, authTokenKey) ?? DEFAULT_TOKEN;
    const key = `product:${sku}`;
    if (!this.#acceptedTokens.get(token)) {
      // Straight to the product service (a bad token fails here), and what it says is cached.
      const product = await this.cache.reload(
        key,
        (signal) => this.source.get({ ...ctx, signal }, sku),
        ctx.signal,
      );
      this.#acceptedTokens.set(token, true, this.tokenTtlMs);
      return product;
    }
    // The load runs once for all concurrent callers of this SKU; it carries the first caller's
    // values (token, request id) and a signal that aborts only when every caller has gone.
    return this.cache.get(key, (signal) => this.source.get({ ...ctx, signal }, sku), ctx.signal);
  }
}
