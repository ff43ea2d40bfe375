// gRPC handlers of product.v1.ProductService: proto ↔ domain mapping only.

import type { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import type { ServiceImpl } from "../platform/rpc/call.ts";
import type { ProductUsecase } from "./usecase.ts";

export function productHandlers(usecase: ProductUsecase): ServiceImpl<typeof ProductService> {
  return {
    async getProduct(req, ctx) {
      const product = await usecase.getProduct(ctx, req.token, Number(req.sku));
      return { name: product.name, price: product.price };
    },
    async listSkus(req, ctx) {
      const skus = await usecase.listSkus(ctx, req.token, Number(req.startAfterSku), req.count);
      return { skus: skus.map(BigInt) };
    },
  };
}
