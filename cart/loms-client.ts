// LOMS over gRPC: stock look-ups for adds, order creation for checkout.

import type { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import type { ServiceClient } from "../platform/rpc/call.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { hasCode } from "../platform/rpc/errors.ts";
import type { CartLine } from "./model.ts";
import type { OrderService, StockService } from "./ports.ts";

export class GrpcLoms implements StockService, OrderService {
  constructor(private readonly client: ServiceClient<typeof LomsService>) {}

  async available(ctx: Ctx, sku: number): Promise<number> {
    try {
      const res = await this.client.stocksInfo({ sku: BigInt(sku) }, ctx);
      return Number(res.count);
    } catch (err) {
      if (hasCode(err, "NOT_FOUND")) return 0;
      throw err;
    }
  }

  async create(ctx: Ctx, userId: number, lines: readonly CartLine[]): Promise<number> {
    const res = await this.client.orderCreate(
      { userId: BigInt(userId), items: lines.map((l) => ({ sku: BigInt(l.sku), count: l.count })) },
      ctx,
    );
    return Number(res.orderId);
  }
}
