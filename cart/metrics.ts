// Prometheus view of cart's business: items added, checkouts that made an order (and those
// that had to make a new one because their key was spent), and failed checkouts by reason. The
// use case reports through the CartObserver port; names and labels are what the dashboards read.

import { Counter, type Registry } from "prom-client";
import type { Code } from "../platform/rpc/errors.ts";
import type { CartObserver } from "./ports.ts";

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

export function cartMetrics(registry: Registry): CartObserver {
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
  const afterSpentKey = new Counter({
    name: "cart_checkouts_after_spent_key_total",
    help:
      "Checkouts (also in cart_checkouts_total) that found the cart's checkout key spent and made a new " +
      "order under a new key: the key's order holds other lines than the cart now (a retry after a lost " +
      "answer and a cart change; that order, never seen by the user, stays reserved until it expires " +
      "unpaid, LOMS_PAYMENT_TIMEOUT_MS) or was cancelled or expired.",
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
  return {
    itemsAdded: (count) => itemsAdded.inc(count),
    checkedOut: (spent) => {
      checkouts.inc();
      if (spent) afterSpentKey.inc();
    },
    checkoutFailed: (code) => failures.inc({ reason: REASONS[code] ?? INTERNAL }),
  };
}
