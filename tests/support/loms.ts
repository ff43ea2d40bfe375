// Typed reads of a LOMS gateway, for tests that follow stock and order status through a flow.

import { http } from "./system.ts";

/** `base` is a function so that suites whose system starts in beforeAll can build this up front. */
export function lomsGateway(base: () => string) {
  return {
    /** Units of `sku` that can still be ordered. */
    available: async (sku: number): Promise<number> =>
      ((await http("GET", `${base()}/stock/info?sku=${sku}`)).body as { count: number }).count,
    /** An order's status, e.g. "awaiting payment". */
    status: async (orderId: number): Promise<string> =>
      ((await http("GET", `${base()}/order/info?order_id=${orderId}`)).body as { status: string }).status,
  };
}
