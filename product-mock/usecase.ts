// product-mock's rules: a valid token is required; unknown SKUs are NOT_FOUND; SKUs list in
// ascending order after a cursor.

import type { Ctx } from "../platform/rpc/context.ts";
import { authTokenKey, getValue } from "../platform/rpc/context-values.ts";
import { AppError } from "../platform/rpc/errors.ts";
import type { Product } from "./catalog.ts";

/** Port: the catalog's read side. */
export interface Catalog {
  get(sku: number): Product | undefined;
  /** Ascending SKUs greater than `afterSku`, at most `count`. */
  skusAfter(afterSku: number, count: number): number[];
}

export class ProductUsecase {
  readonly #tokens: ReadonlySet<string>;

  constructor(
    private readonly catalog: Catalog,
    tokens: readonly string[],
  ) {
    this.#tokens = new Set(tokens);
  }

  async getProduct(ctx: Ctx, token: string, sku: number): Promise<Product> {
    this.#authorize(ctx, token);
    const product = this.catalog.get(sku);
    if (!product) throw AppError.notFound(`product ${sku} not found`);
    return product;
  }

  async listSkus(ctx: Ctx, token: string, startAfterSku: number, count: number): Promise<number[]> {
    this.#authorize(ctx, token);
    return this.catalog.skusAfter(startAfterSku, count);
  }

  #authorize(ctx: Ctx, token: string): void {
    const presented = token !== "" ? token : getValue(ctx, authTokenKey);
    if (presented === undefined || !this.#tokens.has(presented)) {
      throw AppError.unauthenticated("missing or invalid token");
    }
  }
}
