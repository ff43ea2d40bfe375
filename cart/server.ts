// gRPC handlers of cart.v1.CartService: proto ↔ domain mapping only.

import type { CartService } from "../gen/proto/cart/v1/cart_pb.ts";
import type { ServiceImpl } from "../platform/rpc/call.ts";
import type { CartUsecase } from "./usecase.ts";

export function cartHandlers(usecase: CartUsecase): ServiceImpl<typeof CartService> {
  return {
    async addItem(req, ctx) {
      await usecase.addItem(ctx, Number(req.userId), { sku: Number(req.skuId), count: req.count });
      return {};
    },
    async deleteItem(req, ctx) {
      await usecase.deleteItem(ctx, Number(req.userId), Number(req.skuId));
      return {};
    },
    async clearCart(req, ctx) {
      await usecase.clearCart(ctx, Number(req.userId));
      return {};
    },
    async listCart(req, ctx) {
      const cart = await usecase.listCart(ctx, Number(req.userId));
      return {
        items: cart.items.map((i) => ({ sku: BigInt(i.sku), name: i.name, count: i.count, price: i.price })),
        totalPrice: BigInt(cart.totalPrice),
      };
    },
    async checkout(req, ctx) {
      return { orderId: BigInt(await usecase.checkout(ctx, Number(req.userId))) };
    },
  };
}
