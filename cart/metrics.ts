// Cart's business metrics, counted at the API boundary from each call's request and outcome
// (gRPC and gateway alike), so the use case stays free of instrumentation: items added, and
// checkouts by outcome with the failure reason.

import { Counter, type Registry } from "prom-client";
import type { AddItemRequest } from "../gen/proto/cart/v1/cart_pb.ts";
import type { Interceptor } from "../platform/rpc/call.ts";
import { AppError, type Code } from "../platform/rpc/errors.ts";

// Why a checkout failed, in the words of the contract (DESIGN: 404 empty cart, 412 stock).
const REASONS: Partial<Record<Code, string>> = {
  NOT_FOUND: "empty_cart",
  FAILED_PRECONDITION: "insufficient_stock",
  INVALID_ARGUMENT: "bad_request",
  UNAVAILABLE: "dependency_unavailable",
  DEADLINE_EXCEEDED: "timeout",
  RESOURCE_EXHAUSTED: "rate_limited",
  ABORTED: "conflict",
};

/** Any other code: a defect or an unexpected dependency answer. */
const INTERNAL = "internal";

export function cartMetricsInterceptor(registry: Registry): Interceptor {
  const itemsAdded = new Counter({
    name: "cart_items_added_total",
    help: "Units added to carts (the sum of accepted AddItem counts).",
    registers: [registry],
  });
  const checkouts = new Counter({
    name: "cart_checkouts_total",
    help: "Checkouts that created an order.",
    registers: [registry],
  });
  const failures = new Counter({
    name: "cart_checkout_failures_total",
    help: "Checkouts refused or failed, by reason.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  // Every reason at 0 from the start, so a dashboard's failure panel shows a flat line, not
  // "no data", until the first failure.
  for (const reason of [...new Set([...Object.values(REASONS), INTERNAL])]) failures.inc({ reason }, 0);
  return (next) => async (req, call) => {
    const method = call.method.name;
    try {
      const res = await next(req, call);
      if (method === "AddItem") itemsAdded.inc((req as AddItemRequest).count);
      if (method === "Checkout") checkouts.inc();
      return res;
    } catch (err) {
      if (method === "Checkout") {
        const code = AppError.from(err).code;
        failures.inc({ reason: REASONS[code] ?? INTERNAL });
      }
      throw err;
    }
  };
}
