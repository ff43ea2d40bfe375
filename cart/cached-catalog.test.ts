// The cached catalog's token rules: the cache answers only for tokens the product service
// accepted recently; any other token goes to the product service first (and fails there if
// bad), a refused one is remembered, and checks of never-seen tokens are capped.

import { expect, mock, test } from "bun:test";
import { ReadThroughCache } from "../platform/cache/read-through.ts";
import { backgroundCtx, type Ctx } from "../platform/rpc/context.ts";
import { authTokenKey, getValue, withValue } from "../platform/rpc/context-values.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { codeOf } from "../tests/support/code-of.ts";
import { CachedProductCatalog } from "./cached-catalog.ts";
import type { Product } from "./model.ts";
import type { ProductCatalog } from "./ports.ts";

const BOOK: Product = { name: "book", price: 3379 };
const withToken = (token: string): Ctx => withValue(backgroundCtx(), authTokenKey, token);

function setup(capOpen: () => boolean = () => true) {
  const source = {
    get: mock<ProductCatalog["get"]>(async (ctx, sku) => {
      const token = getValue(ctx, authTokenKey);
      if (token === "stolen") throw AppError.unauthenticated("missing or invalid token");
      return sku === 1 ? BOOK : null;
    }),
  };
  const cache = new ReadThroughCache<Product>({
    name: "product",
    localCapacity: 100,
    localTtlMs: 60_000,
    remoteTtlMs: 60_000,
    negativeTtlMs: 5_000,
  });
  return {
    source,
    catalog: new CachedProductCatalog(source, cache, 60_000, { tryAcquire: async () => capOpen() }),
  };
}

test("a token seen accepted is served from the cache; the configured token counts as one", async () => {
  const { source, catalog } = setup();
  expect(await catalog.get(backgroundCtx(), 1)).toEqual(BOOK); // configured token: checked once
  expect(await catalog.get(backgroundCtx(), 1)).toEqual(BOOK);
  expect(await catalog.get(withToken("user"), 1)).toEqual(BOOK); // a new token: checked once
  expect(await catalog.get(withToken("user"), 1)).toEqual(BOOK);
  expect(source.get).toHaveBeenCalledTimes(2);
});

test("a bad token reaches the product service even for a cached SKU, once; then it is remembered", async () => {
  const { source, catalog } = setup();
  expect(await catalog.get(backgroundCtx(), 1)).toEqual(BOOK);
  for (let i = 0; i < 3; i++)
    expect(await codeOf(catalog.get(withToken("stolen"), 1))).toBe("UNAUTHENTICATED");
  expect(source.get).toHaveBeenCalledTimes(2);
});

test("over the cap, a never-seen token is refused at once; known and configured tokens are not capped", async () => {
  let open = true;
  const { source, catalog } = setup(() => open);
  expect(await catalog.get(withToken("user"), 1)).toEqual(BOOK); // verified while the cap was open
  open = false;
  expect(await codeOf(catalog.get(withToken("stranger"), 1))).toBe("RESOURCE_EXHAUSTED");
  expect(await catalog.get(backgroundCtx(), 1)).toEqual(BOOK); // cart's own token
  expect(await catalog.get(withToken("user"), 1)).toEqual(BOOK);
  expect(source.get).toHaveBeenCalledTimes(2); // the stranger made no call
});

test("an unknown SKU is cached as unknown after the token's first check", async () => {
  const { source, catalog } = setup();
  expect(await catalog.get(backgroundCtx(), 2)).toBeNull();
  expect(await catalog.get(backgroundCtx(), 2)).toBeNull();
  expect(source.get).toHaveBeenCalledTimes(1);
});
