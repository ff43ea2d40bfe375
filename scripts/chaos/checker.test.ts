// A checker that can fail: a small recorded history with the state it leaves passes every
// invariant; then each test plants one violation — a dropped stock release, a pay followed by
// expiry, a lost or doubled notification, a silently dropped cart line, a product call over the
// limit, a 500 — and the checker must name that invariant, and only that one.

import { expect, test } from "bun:test";
import { check, type InvariantResult } from "./checker.ts";
import type { Fault, Op } from "./history.ts";
import type { SystemState } from "./state.ts";

const SKU = 1076963;
const DEEP = 1625903;
const OPTIONS = { recoveryMs: 5_000, skus: [SKU, DEEP] };

let clock = 0;
const op = (fields: Partial<Op> & Pick<Op, "kind" | "user">): Op => {
  clock += 100;
  const start = clock;
  const ok = fields.outcome === undefined || fields.outcome === "ok";
  return { target: "cart", start, end: start + 50, outcome: "ok", status: ok ? 200 : 0, ...fields };
};

/**
 * User 1 adds two lines, checks out (order 11), pays. User 2 adds, checks out (order 12),
 * cancels. User 3 adds a line, deletes it, adds another and keeps it. User 4 checks out with no
 * answer (order 13 exists, then expired). A broker was killed from 1000 to 3000 ms.
 */
function cleanRun(): { history: Op[]; faults: Fault[]; state: SystemState } {
  clock = 0;
  const history = [
    op({ kind: "add", user: 1, sku: SKU, count: 2 }),
    op({ kind: "add", user: 1, sku: DEEP, count: 1 }),
    op({ kind: "checkout", user: 1, result: 11 }),
    op({ kind: "pay", user: 1, orderId: 11, target: "loms" }),
    op({ kind: "add", user: 2, sku: DEEP, count: 3 }),
    op({ kind: "checkout", user: 2, result: 12 }),
    op({ kind: "cancel", user: 2, orderId: 12, target: "loms-2" }),
    op({ kind: "add", user: 3, sku: SKU, count: 1 }),
    op({ kind: "delete", user: 3, sku: SKU, status: 204 }),
    op({ kind: "add", user: 3, sku: DEEP, count: 1 }),
    op({ kind: "add", user: 3, sku: SKU, count: 5, outcome: "fail", status: 412 }),
    op({ kind: "list", user: 3 }),
    op({ kind: "add", user: 4, sku: SKU, count: 1 }),
    op({ kind: "checkout", user: 4, outcome: "unknown", status: 0, error: "timeout" }),
    op({ kind: "checkout", user: 4, outcome: "fail", status: 503 }),
  ];
  const chain = (orderId: number, statuses: string[]) =>
    statuses.map((status, i) => ({ orderId, eventId: `e-${orderId}-${i}`, status }));
  const outbox = [
    ...chain(11, ["new", "awaiting payment", "payed"]),
    ...chain(12, ["new", "awaiting payment", "cancelled"]),
    ...chain(13, ["new", "awaiting payment", "cancelled"]),
  ];
  return {
    history,
    faults: [{ kind: "kill-broker", target: "kafka-2", start: 1_000, end: 3_000 }],
    state: {
      // SKU's 35 reserved units are the seed's: no order stands for them.
      stocksBefore: { [SKU]: { total: 40, reserved: 35 }, [DEEP]: { total: 5000, reserved: 0 } },
      awaitingBefore: {},
      // Order 11 paid 2 of SKU and 1 of DEEP; 12 and 13 released theirs.
      stocksAfter: { [SKU]: { total: 38, reserved: 35 }, [DEEP]: { total: 4999, reserved: 0 } },
      awaitingBySku: {},
      orders: [
        {
          id: 11,
          user: 1,
          status: "payed",
          items: [
            { sku: SKU, count: 2 },
            { sku: DEEP, count: 1 },
          ],
        },
        { id: 12, user: 2, status: "cancelled", items: [{ sku: DEEP, count: 3 }] },
        { id: 13, user: 4, status: "cancelled", items: [{ sku: SKU, count: 1 }] },
      ],
      outbox,
      notifications: [...outbox],
      carts: [{ user: 3, sku: DEEP, count: 1 }],
      productBefore: { OK: 100, NOT_FOUND: 3 },
      productAfter: { OK: 160, NOT_FOUND: 9 },
      notReady: [],
      outstanding: [],
    },
  };
}

const failing = (results: InvariantResult[]) => results.filter((r) => !r.ok).map((r) => r.name);
const counterexamples = (results: InvariantResult[], name: string) =>
  results.find((r) => r.name === name)?.counterexamples ?? [];

test("the clean run passes every invariant, each having checked something", () => {
  const { history, faults, state } = cleanRun();
  const results = check(history, faults, state, OPTIONS);
  expect(results.map((r) => r.name)).toEqual([
    "stock",
    "orders",
    "events",
    "carts",
    "product budget",
    "errors",
    "recovery",
  ]);
  expect(failing(results)).toEqual([]);
  for (const r of results) expect(r.checked).toBeGreaterThan(0);
});

test("an unknown checkout may or may not have made its order: both pass", () => {
  const { history, faults, state } = cleanRun();
  const withoutOrder: SystemState = {
    ...state,
    orders: state.orders.filter((o) => o.id !== 13),
    outbox: state.outbox.filter((e) => e.orderId !== 13),
    notifications: state.notifications.filter((e) => e.orderId !== 13),
    carts: [...state.carts, { user: 4, sku: SKU, count: 1 }],
  };
  expect(failing(check(history, faults, withoutOrder, OPTIONS))).toEqual([]);
});

test("stock: a cancel that skips its release leaves reserved above what orders hold", () => {
  const { history, faults, state } = cleanRun();
  const planted = { ...state, stocksAfter: { ...state.stocksAfter, [DEEP]: { total: 4999, reserved: 3 } } };
  const results = check(history, faults, planted, OPTIONS);
  expect(failing(results)).toEqual(["stock"]);
  expect(counterexamples(results, "stock")).toEqual([
    `sku ${DEEP}: reserved went 0 → 3, but orders awaiting payment hold 0 → 0`,
  ]);
});

test("stock: a pay that drops total twice breaks initial − paid = now", () => {
  const { history, faults, state } = cleanRun();
  const planted = { ...state, stocksAfter: { ...state.stocksAfter, [SKU]: { total: 36, reserved: 35 } } };
  expect(counterexamples(check(history, faults, planted, OPTIONS), "stock")[0]).toContain(
    "total 40 before − 2 paid = 38, but 36 now",
  );
});

test("orders: an acknowledged pay followed by expiry is named", () => {
  const { history, faults, state } = cleanRun();
  const planted = {
    ...state,
    orders: state.orders.map((o) => (o.id === 11 ? { ...o, status: "cancelled" } : o)),
    stocksAfter: { [SKU]: { total: 40, reserved: 35 }, [DEEP]: { total: 5000, reserved: 0 } },
    outbox: state.outbox.map((e) => (e.eventId === "e-11-2" ? { ...e, status: "cancelled" } : e)),
    notifications: state.notifications.map((e) =>
      e.eventId === "e-11-2" ? { ...e, status: "cancelled" } : e,
    ),
  };
  const results = check(history, faults, planted, OPTIONS);
  expect(failing(results)).toEqual(["orders"]);
  expect(counterexamples(results, "orders")[0]).toMatch(
    /^pay of order 11 acknowledged at \d+ ms, but it is cancelled$/,
  );
});

test("orders: an acknowledged order with other items than the cart held, or one left 'new'", () => {
  const { history, faults, state } = cleanRun();
  const planted = {
    ...state,
    orders: state.orders.map((o) =>
      o.id === 12 ? { ...o, items: [{ sku: DEEP, count: 2 }] } : o.id === 13 ? { ...o, status: "new" } : o,
    ),
  };
  const found = counterexamples(check(history, faults, planted, OPTIONS), "orders");
  expect(found).toContain(`order 12 holds ${DEEP}×2, but the cart held ${DEEP}×3`);
  expect(found).toContain('order 13 of user 4 is still "new"');
});

test("events: a deleted notification row is missing, a doubled one is named", () => {
  const { history, faults, state } = cleanRun();
  const missing = { ...state, notifications: state.notifications.filter((e) => e.eventId !== "e-12-1") };
  const r1 = check(history, faults, missing, OPTIONS);
  expect(failing(r1)).toEqual(["events"]);
  expect(counterexamples(r1, "events")).toEqual([
    "order 12: notified [new, cancelled], published [new, awaiting payment, cancelled]",
  ]);
  const doubled = {
    ...state,
    notifications: [...state.notifications, state.notifications[0] as SystemState["notifications"][number]],
  };
  expect(counterexamples(check(history, faults, doubled, OPTIONS), "events")[0]).toBe(
    "event e-11-0 notified 2 times",
  );
});

test("events: notifications out of their order are named", () => {
  const { history, faults, state } = cleanRun();
  const [a, b, c, ...rest] = state.notifications;
  const swapped = { ...state, notifications: [b, a, c, ...rest] as SystemState["notifications"] };
  expect(failing(check(history, faults, swapped, OPTIONS))).toEqual(["events"]);
});

test("carts: a line dropped from the cart without a delete, clear or order is named", () => {
  const { history, faults, state } = cleanRun();
  const planted = { ...state, carts: [] };
  const results = check(history, faults, planted, OPTIONS);
  expect(failing(results)).toEqual(["carts"]);
  expect(counterexamples(results, "carts")[0]).toMatch(
    new RegExp(`^user 3 sku ${DEEP}: added \\(acknowledged at \\d+ ms\\), never removed, now gone$`),
  );
});

test("carts: a line that was deleted but is back is named", () => {
  const { history, faults, state } = cleanRun();
  const planted = { ...state, carts: [...state.carts, { user: 3, sku: SKU, count: 1 }] };
  expect(counterexamples(check(history, faults, planted, OPTIONS), "carts")).toEqual([
    `user/sku 3/${SKU}: the cart holds 1, the history says 0`,
  ]);
});

test("product budget: one call over the limit (RESOURCE_EXHAUSTED at product-mock) is named", () => {
  const { history, faults, state } = cleanRun();
  const planted = { ...state, productAfter: { ...state.productAfter, RESOURCE_EXHAUSTED: 1 } };
  const results = check(history, faults, planted, OPTIONS);
  expect(failing(results)).toEqual(["product budget"]);
  expect(counterexamples(results, "product budget")[0]).toBe(
    "product-mock refused 1 of 67 calls: over its per-second limit",
  );
});

test("errors: a 500 anywhere, a 503 outside a fault window, an unknown outside one", () => {
  const { history, faults, state } = cleanRun();
  const in500 = [
    ...history,
    { ...op({ kind: "list", user: 3 }), status: 500, outcome: "fail" as const, start: 1_500, end: 1_600 },
  ];
  const r = check(in500, faults, state, OPTIONS);
  expect(failing(r)).toEqual(["errors"]);
  expect(counterexamples(r, "errors")[0]).toBe(
    "HTTP 500 (never allowed): list by user 3 via cart at 1500–1600 ms",
  );
  const late = [
    ...history,
    { ...op({ kind: "list", user: 3 }), status: 503, outcome: "fail" as const, start: 9_000, end: 9_100 },
  ];
  expect(counterexamples(check(late, faults, state, OPTIONS), "errors")).toEqual([
    "HTTP 503 outside any fault window: list by user 3 via cart at 9000–9100 ms",
  ]);
  // Within the window plus its recovery allowance, the same answer is excused.
  const excused = [
    ...history,
    { ...op({ kind: "list", user: 3 }), status: 503, outcome: "fail" as const, start: 7_000, end: 7_100 },
  ];
  expect(failing(check(excused, faults, state, OPTIONS))).toEqual([]);
});

test("recovery: a process never ready again after the heal, or a system that never went quiet, is named", () => {
  const { history, faults, state } = cleanRun();
  const planted = {
    ...state,
    notReady: ["loms not ready 60 s after the heal"],
    outstanding: ["3 outbox rows unsent"],
  };
  const results = check(history, faults, planted, OPTIONS);
  expect(failing(results)).toEqual(["recovery"]);
  expect(counterexamples(results, "recovery")).toEqual([
    "loms not ready 60 s after the heal",
    "not quiet: 3 outbox rows unsent",
  ]);
});
