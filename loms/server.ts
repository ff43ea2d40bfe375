// gRPC handlers of loms.v1.LomsService: proto ↔ domain mapping only.

import type { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import type { ServiceImpl } from "../platform/rpc/call.ts";
import type { LomsUsecase } from "./usecase.ts";

export function lomsHandlers(usecase: LomsUsecase): ServiceImpl<typeof LomsService> {
  return {
    async orderCreate(req, ctx) {
      const items = req.items.map((i) => ({ sku: Number(i.sku), count: i.count }));
      const key = req.checkoutKey === "" ? undefined : req.checkoutKey;
      const orderId = await usecase.createOrder(ctx, Number(req.userId), items, key);
      return { orderId: BigInt(orderId) };
    },
    async orderInfo(req, ctx) {
      const order = await usecase.orderInfo(ctx, Number(req.orderId));
      return {
        status: order.status,
        userId: BigInt(order.userId),
        items: order.items.map((i) => ({ sku: BigInt(i.sku), count: i.count })),
      };
    },
    async orderPay(req, ctx) {
      await usecase.payOrder(ctx, Number(req.orderId));
      return {};
    },
    async orderCancel(req, ctx) {
      await usecase.cancelOrder(ctx, Number(req.orderId));
      return {};
    },
    async stocksInfo(req, ctx) {
      return { count: BigInt(await usecase.stockInfo(ctx, Number(req.sku))) };
    },
  };
}
