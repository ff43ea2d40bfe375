// Order events end to end in embedded mode, over HTTP only: LOMS's outbox and relay publish to
// the in-process bus, the notifications use case consumes it, GET /notifications reads it.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let system: TestSystem;
// Starting the whole system takes longer than bun's 5 s hook default on a loaded machine.
beforeAll(async () => {
  system = await startTestSystem();
}, 60_000);
afterAll(async () => {
  await system?.destroy();
});

type Listed = { notifications: { event_id: string; order_id: number; status: string; moment: string }[] };
const notificationsOf = async (orderId: number) =>
  (await http("GET", `${system.notificationsUrl}/notifications?order_id=${orderId}`)).body as Listed;

async function waitForStatuses(orderId: number, count: number): Promise<Listed> {
  const start = Date.now();
  for (;;) {
    const listed = await notificationsOf(orderId);
    if (listed.notifications.length >= count || Date.now() - start > 5_000) return listed;
    await Bun.sleep(20);
  }
}

test("a created and paid order reads new, awaiting payment, payed, oldest first", async () => {
  const created = await http("POST", `${system.lomsUrl}/order/create`, {
    user_id: 1,
    items: [{ sku: 1148162, count: 1 }],
  });
  expect(created.status).toBe(200);
  const orderId = Number((created.body as { order_id: string | number }).order_id);
  expect((await http("POST", `${system.lomsUrl}/order/pay`, { order_id: orderId })).status).toBe(200);
  const listed = await waitForStatuses(orderId, 3);
  expect(listed.notifications.map((n) => n.status)).toEqual(["new", "awaiting payment", "payed"]);
  for (const n of listed.notifications) {
    expect(n.order_id).toBe(orderId);
    expect(n.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(n.moment).toISOString()).toBe(n.moment);
  }
  // Nothing more arrives later (each event once).
  await Bun.sleep(200);
  expect((await notificationsOf(orderId)).notifications).toHaveLength(3);
});

test("a cancelled order and a failed one read their statuses", async () => {
  const created = await http("POST", `${system.lomsUrl}/order/create`, {
    user_id: 2,
    items: [{ sku: 1148162, count: 1 }],
  });
  const cancelled = Number((created.body as { order_id: number }).order_id);
  await http("POST", `${system.lomsUrl}/order/cancel`, { order_id: cancelled });
  expect((await waitForStatuses(cancelled, 3)).notifications.map((n) => n.status)).toEqual([
    "new",
    "awaiting payment",
    "cancelled",
  ]);
  const refused = await http("POST", `${system.lomsUrl}/order/create`, {
    user_id: 2,
    items: [{ sku: 139819069, count: 1 }],
  });
  expect(refused.status).toBe(412);
  const failedId = Number(/order (\d+)/.exec((refused.body as { message: string }).message)?.[1]);
  expect((await waitForStatuses(failedId, 2)).notifications.map((n) => n.status)).toEqual(["new", "failed"]);
});

test("an unknown order reads an empty list; a bad id is a 400 with a JSON error", async () => {
  expect(await notificationsOf(987_654_321)).toEqual({ notifications: [] });
  for (const bad of ["abc", "0", "-1", "1.5", "", "99999999999999999999", "1&order_id=2"]) {
    const reply = await http("GET", `${system.notificationsUrl}/notifications?order_id=${bad}`);
    expect(reply.status).toBe(400);
    expect((reply.body as { code: string }).code).toBe("INVALID_ARGUMENT");
  }
  expect((await http("GET", `${system.notificationsUrl}/notifications`)).status).toBe(400);
  expect((await http("POST", `${system.notificationsUrl}/notifications?order_id=1`, {})).status).toBe(405);
  for (const path of ["/healthz", "/readyz", "/metrics"]) {
    expect((await fetch(`${system.notificationsUrl}${path}`)).status).toBe(200);
  }
  const metrics = await (await fetch(`${system.notificationsUrl}/metrics`)).text();
  expect(metrics).toMatch(/notifications_events_total\{[^}]*outcome="notified"[^}]*\} [1-9]/);
});
