// product-mock's rules: a valid token is required, checked before the call may spend the rate
// limit (a stranger must not use up what token holders are allowed); beyond the limit calls are
// RESOURCE_EXHAUSTED; unknown SKUs are NOT_FOUND; SKUs list in ascending order after a cursor.

import type { Ctx } from "../platform/rpc/context.ts";
import { authTokenKey, getValue } from "../platform/rpc/context-values.ts";
import { AppError } from "../platform/rpc/errors.ts";
import type { Product } from "./catalog.ts";

/** Port: the rate limit, asked once per authenticated call. */
export interface CallBudget {
  readonly rps: number;
  /** True if the call may go ahead; false: over the limit. */
  admit(): Promise<boolean>;
}

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
    private readonly budget: CallBudget,
  ) {
    this.#tokens = new Set(tokens);
  }

  async getProduct(ctx: Ctx, token: string, sku: number): Promise<Product> {
    await this.#admit(ctx, token);
    const product = this.catalog.get(sku);
    if (!product) throw AppError.notFound(`product ${sku} not found`);
    return product;
  }

  async listSkus(ctx: Ctx, token: string, startAfterSku: number, count: number): Promise<number[]> {
    await this.#admit(ctx, token);
    return this.catalog.skusAfter(startAfterSku, count);
  }

  async #admit(ctx: Ctx, token: string): Promise<void> {
    const presented = token !== "" ? token : getValue(ctx, authTokenKey);
    if (presented === undefined || !this.#tokens.has(presented)) {
      throw AppError.unauthenticated("missing or invalid token");
    }
    if (!(await this.budget.admit())) {
      throw AppError.resourceExhausted(`rate limit of ${this.budget.rps} requests per second exceeded`);
    }
  }
}
