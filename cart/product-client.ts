// The product catalog over gRPC. The caller's token (x-auth-token) is sent on when present,
// otherwise cart's own configured token. Every call takes a slot in the process-wide pool, which
// caps calls in flight to the product service whatever the number of concurrent requests. Its
// errors are translated here (fromDependency).

import type { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import type { WorkerPool } from "../platform/concurrency/worker-pool.ts";
import type { ServiceClient } from "../platform/rpc/call.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { authTokenKey, getValue, withValue } from "../platform/rpc/context-values.ts";
import { fromDependency, hasCode } from "../platform/rpc/errors.ts";
import type { Product } from "./model.ts";
import type { ProductCatalog } from "./ports.ts";

export class GrpcProductCatalog implements ProductCatalog {
  constructor(
    private readonly client: ServiceClient<typeof ProductService>,
    private readonly defaultToken: string,
    private readonly pool: WorkerPool,
  ) {}

  get(ctx: Ctx, sku: number): Promise<Product | null> {
    return this.pool.submit((signal) => this.#call({ ...ctx, signal }, sku), ctx.signal);
  }

  async #call(ctx: Ctx, sku: number): Promise<Product | null> {
    const callersToken = getValue(ctx, authTokenKey);
    const token = callersToken ?? this.defaultToken;
    try {
      const res = await this.client.getProduct(
        { token, sku: BigInt(sku) },
        withValue(ctx, authTokenKey, token),
      );
      return { name: res.name, price: res.price };
    } catch (err) {
      if (hasCode(err, "NOT_FOUND")) return null;
      // A refused token is the caller's business only when it was the caller's token; cart's own
      // being refused is a misconfiguration of cart (INTERNAL), not the user's 401.
      throw fromDependency(err, "product service", callersToken ? ["UNAUTHENTICATED"] : []);
    }
  }
}
