// The product catalog behind a read-through cache (platform/cache): listings and adds ask for
// the same few thousand products over and over, while the product service allows 10 calls a
// second. Names and prices may be up to a TTL stale; an unknown SKU is remembered briefly.
//
// Product info is the same whatever token asks for it, so entries are keyed by SKU alone. The
// product service is also what checks tokens, though, so the cache serves only callers whose
// token the product service accepted recently: a token not seen accepted within `tokenTtlMs`
// goes to the product service (and is refused there if bad) before it may read the cache.
//
// Strangers must not spend the budget the product service gives every user together. A token
// cart has never seen accepted costs a call from that budget to check, so:
// - a token the product service refused is answered 401 here for `REFUSED_TTL_MS`, no call;
// - tokens never accepted (within `KNOWN_TTL_MS`) may check at most `unverified` per second,
//   summed over every cart (a limiter in the shared store); beyond it they get 429 at once,
//   without queueing for the budget or holding a worker. Tokens accepted before (re-checked
//   after `tokenTtlMs`) and cart's own configured token are not capped: a flood of random
//   tokens then costs at most that many calls a second, and everyone else keeps the rest.

import { LruCache } from "../platform/cache/lru.ts";
import type { ReadThroughCache } from "../platform/cache/read-through.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { authTokenKey, getValue } from "../platform/rpc/context-values.ts";
import { AppError, hasCode } from "../platform/rpc/errors.ts";
import type { Product } from "./model.ts";
import type { ProductCatalog } from "./ports.ts";

const DEFAULT_TOKEN = "\u0000configured";
const REFUSED_TTL_MS = 30_000;
const KNOWN_TTL_MS = 3_600_000;
const TOKENS_KEPT = 10_000;

/** Admits a check of an unverified token now, or not (a limiter's tryAcquire). */
export interface UnverifiedTokenCap {
  tryAcquire(): Promise<boolean>;
}

export class CachedProductCatalog implements ProductCatalog {
  readonly #acceptedTokens = new LruCache<true>(TOKENS_KEPT);
  readonly #knownTokens = new LruCache<true>(TOKENS_KEPT);
  readonly #refusedTokens = new LruCache<true>(TOKENS_KEPT);

  constructor(
    private readonly source: ProductCatalog,
    private readonly cache: ReadThroughCache<Product>,
    private readonly tokenTtlMs: number,
    private readonly unverified: UnverifiedTokenCap,
  ) {}

  async get(ctx: Ctx, sku: number): Promise<Product | null> {
    const token = getValue(ctx, authTokenKey) ?? DEFAULT_TOKEN;
    const key = `product:${sku}`;
    if (this.#acceptedTokens.get(token)) {
      // The load runs once for all concurrent callers of this SKU; it carries the first caller's
      // values (token, request id) and a signal that aborts only when every caller has gone.
      return this.cache.get(key, (signal) => this.source.get({ ...ctx, signal }, sku), ctx.signal);
    }
    if (this.#refusedTokens.get(token)) {
      throw AppError.unauthenticated("the product service refused this token (remembered for 30 s)");
    }
    const known = token === DEFAULT_TOKEN || this.#knownTokens.get(token) !== undefined;
    if (!known && !(await this.unverified.tryAcquire())) {
      throw AppError.resourceExhausted("too many look-ups with tokens not yet verified; retry in a second");
    }
    try {
      // Straight to the product service (a bad token fails here), and what it says is cached.
      const product = await this.cache.reload(
        key,
        (signal) => this.source.get({ ...ctx, signal }, sku),
        ctx.signal,
      );
      this.#acceptedTokens.set(token, true, this.tokenTtlMs);
      this.#knownTokens.set(token, true, KNOWN_TTL_MS);
      return product;
    } catch (err) {
      // Only a caller's token reaches here as UNAUTHENTICATED (cart's own refused is INTERNAL).
      if (hasCode(err, "UNAUTHENTICATED")) this.#refusedTokens.set(token, true, REFUSED_TTL_MS);
      throw err;
    }
  }
}
