// The chaos checker: invariants over the whole history and the state after quiescence, each
// stated against the public contract (docs/chaos.md lists them), each reported with
// counterexamples. A client operation whose outcome is unknown (no answer in time, or an answer
// that does not say whether it happened: 409, 5xx) may or may not have taken effect; every
// invariant accepts both and nothing else.

import type { Fault, Op } from "./history.ts";
import { type CartReplay, replayCarts } from "./replay.ts";
import type { OrderRow, SystemState } from "./state.ts";

export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  /** How many things it checked (SKUs, orders, events, lines...), so that a pass means something. */
  readonly checked: number;
  readonly counterexamples: readonly string[];
}

export interface CheckOptions {
  /** After a fault is healed, errors are still excused for this long (ms). */
  readonly recoveryMs: number;
  /** SKUs whose stock the run reset and used. */
  readonly skus: readonly number[];
}

export function check(
  history: readonly Op[],
  faults: readonly Fault[],
  state: SystemState,
  options: CheckOptions,
) {
  const replay = replayCarts(history);
  return [
    checkStock(state, options.skus),
    checkOrders(history, state, replay),
    checkEvents(state),
    checkCarts(state, replay),
    checkProductBudget(state),
    checkErrors(history, faults, options.recoveryMs),
    checkRecovery(state),
  ];
}

const result = (name: string, checked: number, counterexamples: string[]): InvariantResult => ({
  name,
  ok: counterexamples.length === 0,
  checked,
  counterexamples,
});

/**
 * 1. Initial total − paid = total now; reserved changed exactly as much as the orders awaiting
 * payment hold (the seed's reservations have no orders); available ≥ 0.
 */
function checkStock(state: SystemState, skus: readonly number[]): InvariantResult {
  const paid = new Map<number, number>();
  for (const order of state.orders)
    if (order.status === "payed")
      for (const i of order.items) paid.set(i.sku, (paid.get(i.sku) ?? 0) + i.count);
  return result(
    "stock",
    skus.length,
    skus.flatMap((sku) => stockProblems(state, sku, paid.get(sku) ?? 0)),
  );
}

function stockProblems(state: SystemState, sku: number, paid: number): string[] {
  const before = state.stocksBefore[sku];
  const after = state.stocksAfter[sku];
  if (!before || !after) return [`sku ${sku}: no stock row`];
  const bad: string[] = [];
  if (before.total - paid !== after.total)
    bad.push(
      `sku ${sku}: total ${before.total} before − ${paid} paid = ${before.total - paid}, but ${after.total} now`,
    );
  const awaiting = state.awaitingBySku[sku] ?? 0;
  const awaitingBefore = state.awaitingBefore[sku] ?? 0;
  if (after.reserved - before.reserved !== awaiting - awaitingBefore)
    bad.push(
      `sku ${sku}: reserved went ${before.reserved} → ${after.reserved}, but orders awaiting payment hold ${awaitingBefore} → ${awaiting}`,
    );
  if (after.total - after.reserved < 0) bad.push(`sku ${sku}: available ${after.total - after.reserved} < 0`);
  return bad;
}

const FINAL = new Set(["payed", "cancelled", "failed"]);

/**
 * 2. Every acknowledged checkout's order exists, is the user's, with exactly the cart's items
 * (when the cart's content was certain); an acknowledged pay stays payed, an acknowledged cancel
 * stays cancelled; every order ends in one final state; no order appears that nobody asked for.
 */
function checkOrders(history: readonly Op[], state: SystemState, replay: CartReplay): InvariantResult {
  const byId = new Map(state.orders.map((o) => [o.id, o]));
  const bad = history.flatMap((op) => acknowledgedProblems(op, byId, replay));
  const asked = new Map<number, number>();
  for (const op of history)
    if (op.kind === "checkout" && op.error !== "refused") asked.set(op.user, (asked.get(op.user) ?? 0) + 1);
  const made = new Map<number, number>();
  for (const order of state.orders) {
    made.set(order.user, (made.get(order.user) ?? 0) + 1);
    if (!FINAL.has(order.status))
      bad.push(`order ${order.id} of user ${order.user} is still "${order.status}"`);
  }
  for (const [user, n] of made)
    if (n > (asked.get(user) ?? 0))
      bad.push(`user ${user} has ${n} orders but asked for ${asked.get(user) ?? 0}`);
  return result("orders", state.orders.length, bad);
}

/** What an acknowledged checkout, pay or cancel promised, against the order as it is. */
function acknowledgedProblems(op: Op, byId: Map<number, OrderRow>, replay: CartReplay): string[] {
  if (op.outcome !== "ok") return [];
  if (op.kind === "checkout") return checkoutProblems(op, byId, replay);
  if (op.kind === "pay" || op.kind === "cancel") {
    const want = op.kind === "pay" ? "payed" : "cancelled";
    const status = byId.get(op.orderId as number)?.status;
    if (status !== want)
      return [`${op.kind} of order ${op.orderId} acknowledged at ${op.end} ms, but it is ${status}`];
  }
  return [];
}

function checkoutProblems(op: Op, byId: Map<number, OrderRow>, replay: CartReplay): string[] {
  const order = op.result === undefined ? undefined : byId.get(op.result);
  if (!order)
    return [
      `checkout of user ${op.user} at ${op.start} ms answered order ${op.result}, which does not exist`,
    ];
  const bad: string[] = [];
  if (order.user !== op.user)
    bad.push(`order ${order.id} belongs to user ${order.user}, answered to ${op.user}`);
  const expected = replay.orderedItems.get(op);
  if (expected && !sameItems(expected, order.items))
    bad.push(`order ${order.id} holds ${fmt(order.items)}, but the cart held ${fmt(expected)}`);
  return bad;
}

const CHAIN: Record<string, readonly string[]> = {
  payed: ["new", "awaiting payment", "payed"],
  cancelled: ["new", "awaiting payment", "cancelled"],
  failed: ["new", "failed"],
};

/** 3. Every status change of every order notified exactly once, in the order it happened. */
function checkEvents(state: SystemState): InvariantResult {
  const bad: string[] = [];
  const group = (rows: SystemState["outbox"]) => {
    const m = new Map<number, typeof rows>();
    for (const r of rows) m.set(r.orderId, [...(m.get(r.orderId) ?? []), r]);
    return m;
  };
  const outbox = group(state.outbox);
  const notes = group(state.notifications);
  const seen = new Map<string, number>();
  for (const n of state.notifications) seen.set(n.eventId, (seen.get(n.eventId) ?? 0) + 1);
  for (const [eventId, n] of seen) if (n > 1) bad.push(`event ${eventId} notified ${n} times`);
  for (const order of state.orders) {
    const published = (outbox.get(order.id) ?? []).map((e) => `${e.status}`);
    const notified = (notes.get(order.id) ?? []).map((e) => `${e.status}`);
    const chain = CHAIN[order.status];
    if (chain && published.join(",") !== chain.join(","))
      bad.push(
        `order ${order.id} (${order.status}) published [${published.join(", ")}], expected [${chain.join(", ")}]`,
      );
    const publishedIds = (outbox.get(order.id) ?? []).map((e) => e.eventId).join(",");
    const notifiedIds = (notes.get(order.id) ?? []).map((e) => e.eventId).join(",");
    if (publishedIds !== notifiedIds)
      bad.push(`order ${order.id}: notified [${notified.join(", ")}], published [${published.join(", ")}]`);
  }
  return result("events", state.outbox.length, bad);
}

/**
 * 4. A line acknowledged as added is still in the cart, or was removed by a delete or clear that
 * may have happened, or went into an order of that user; where the history leaves no doubt, the
 * cart holds exactly the counts it should.
 */
function checkCarts(state: SystemState, replay: CartReplay): InvariantResult {
  const bad: string[] = [];
  const inCart = new Map(state.carts.map((l) => [`${l.user}/${l.sku}`, l.count]));
  const ordered = new Set(state.orders.flatMap((o) => o.items.map((i) => `${o.user}/${i.sku}`)));
  for (const line of replay.mustHold) {
    const key = `${line.user}/${line.sku}`;
    if (inCart.has(key)) continue;
    if (line.mayBeOrdered && ordered.has(key)) continue;
    bad.push(
      `user ${line.user} sku ${line.sku}: added (acknowledged at ${line.at} ms), never removed, now gone`,
    );
  }
  for (const [key, want] of replay.exact) {
    const have = inCart.get(key) ?? 0;
    if (have !== want) bad.push(`user/sku ${key}: the cart holds ${have}, the history says ${want}`);
  }
  return result("carts", replay.mustHold.length + replay.exact.size, bad);
}

/** 5. product-mock refused nothing: its own sliding window never saw more than its limit. */
function checkProductBudget(state: SystemState): InvariantResult {
  const delta = (code: string) => (state.productAfter[code] ?? 0) - (state.productBefore[code] ?? 0);
  const refused = delta("RESOURCE_EXHAUSTED");
  const served = Object.keys(state.productAfter).reduce((n, code) => n + delta(code), 0);
  return result(
    "product budget",
    served,
    refused > 0 ? [`product-mock refused ${refused} of ${served} calls: over its per-second limit`] : [],
  );
}

/** Statuses the contract gives each operation on valid input, faults or not. */
const EXPECTED: Record<Op["kind"], readonly number[]> = {
  add: [200, 412],
  delete: [200, 204],
  clear: [200, 204],
  list: [200, 404],
  checkout: [200, 404, 412],
  pay: [200, 412],
  cancel: [200, 412],
};
/** What a client may see while a part is down: retryable answers, or none. */
const RETRYABLE = new Set([503, 504, 409]);

/** 6. Never a 500; retryable errors only inside a fault window (plus recovery); none outside. */
function checkErrors(history: readonly Op[], faults: readonly Fault[], recoveryMs: number): InvariantResult {
  const bad: string[] = [];
  const inFault = (op: Op) => faults.some((f) => op.start <= f.end + recoveryMs && op.end >= f.start);
  for (const op of history) {
    if (EXPECTED[op.kind].includes(op.status)) continue;
    const what = op.status ? `HTTP ${op.status}` : (op.error ?? "no answer");
    const where = `${op.kind} by user ${op.user} via ${op.target} at ${op.start}–${op.end} ms`;
    if (op.status >= 500 && !RETRYABLE.has(op.status)) bad.push(`${what} (never allowed): ${where}`);
    else if (!inFault(op)) bad.push(`${what} outside any fault window: ${where}`);
    else if (op.status !== 0 && !RETRYABLE.has(op.status)) bad.push(`${what} (not retryable): ${where}`);
  }
  return result("errors", history.length, bad);
}

/** 7. Healed means healthy: every process ready again, and the system quiet (nothing stuck). */
function checkRecovery(state: SystemState): InvariantResult {
  return result("recovery", 8, [...state.notReady, ...state.outstanding.map((what) => `not quiet: ${what}`)]);
}

type Items = readonly { sku: number; count: number }[];
const sameItems = (a: Items, b: Items) => fmt(a) === fmt(b);
const fmt = (items: Items) =>
  [...items]
    .sort((x, y) => x.sku - y.sku)
    .map((i) => `${i.sku}×${i.count}`)
    .join(" ");
