// The product catalog over gRPC. The caller's token (x-auth-token) is sent on when present,
// otherwise cart's own configured token.

import type { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import type { ServiceClient } from "../platform/rpc/call.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { getValue, withValue } from "../platform/rpc/context-values.ts";
import { hasCode } from "../platform/rpc/errors.ts";
import { authTokenKey } from "../platform/rpc/interceptors/auth-token.ts";
import type { Product } from "./model.ts";
import type { ProductCatalog } from "./ports.ts";

export class GrpcProductCatalog implements ProductCatalog {
  constructor(
    private readonly client: ServiceClient<typeof ProductService>,
    private readonly defaultToken: string,
  ) {}

  async get(ctx: Ctx, sku: number): Promise<Product | null> {
    const token = getValue(ctx, authTokenKey) ?? this.defaultToken;
    try {
      const res = await this.client.getProduct(
        { token, sku: BigInt(sku) },
        withValue(ctx, authTokenKey, token),
      );
      return { name: res.name, price: res.price };
    } catch (err) {
      if (hasCode(err, "NOT_FOUND")) return null;
      throw err;
    }
  }
}
