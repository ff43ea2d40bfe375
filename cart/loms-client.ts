// LOMS over gRPC: stock look-ups for adds, order creation for checkout. LOMS' errors are
// translated here (fromDependency): a user sees what they mean for cart's caller.

import type { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import type { ServiceClient } from "../platform/rpc/call.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { fromDependency, hasCode } from "../platform/rpc/errors.ts";
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
      throw fromDependency(err, "LOMS");
    }
  }

  async create(ctx: Ctx, userId: number, lines: readonly CartLine[], checkoutKey: string): Promise<number> {
    try {
      const res = await this.client.orderCreate(
        {
          userId: BigInt(userId),
          items: lines.map((l) => ({ sku: BigInt(l.sku), count: l.count })),
          checkoutKey,
        },
        ctx,
      );
      return Number(res.orderId);
    } catch (err) {
      // Refused for stock is the contract's 412 for the user; a spent checkout key is the use
      // case's to handle (it takes a new key); anything else is not the user's.
      throw fromDependency(err, "LOMS", ["FAILED_PRECONDITION", "ALREADY_EXISTS"]);
    }
  }
}
