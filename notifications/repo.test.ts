// The notifications store on real Postgres (embedded; through pgbouncer with TEST_PG=stack):
// exactly once under concurrent duplicate deliveries, atomic refusal, poison storage of hostile bytes.

import { afterAll, beforeAll, expect, test } from "bun:test";
import * as q from "../gen/sql/notifications/notifications_sql.ts";
import { Database } from "../platform/db/postgres.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { startTestPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { decodeOrderEvent } from "./event-decoding.ts";
import type { Notification } from "./model.ts";
import { PgNotificationStore } from "./repo.ts";
import { NotificationsUsecase } from "./usecase.ts";

let pg: TestPostgres;
let db: Database;
let store: PgNotificationStore;
const ctx = backgroundCtx();
const silent = { handled: () => {}, poison: () => {} };

beforeAll(async () => {
  pg = await startTestPostgres(["notifications"]);
  db = new Database({ url: pg.url("notifications"), max: 20, applicationName: "notifications-test" });
  store = new PgNotificationStore(db);
});
afterAll(async () => {
  await db?.close();
  await pg?.stop();
});

const value = (orderId: number, status: string, eventId = crypto.randomUUID()) =>
  JSON.stringify({ event_id: eventId, order_id: orderId, status, moment: new Date().toISOString() });
const incoming = (v: string, offset = 0) => ({
  topic: "t",
  partition: 0,
  offset,
  key: "k",
  value: v,
  headers: {},
});

test("20 concurrent deliveries of one event store one notification", async () => {
  const notified: Notification[] = [];
  const usecase = new NotificationsUsecase(
    store,
    { notify: (n) => void notified.push(n) },
    silent,
    decodeOrderEvent,
  );
  const v = value(11, "new");
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => usecase.handle(ctx, incoming(v))));
  expect(outcomes.filter((o) => o === "notified")).toHaveLength(1);
  expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(19);
  expect(notified).toHaveLength(1);
  expect((await store.listByOrder(ctx, 11)).map((n) => n.status)).toEqual(["new"]);
});

test("one order's notifications list oldest first; an unknown order lists nothing", async () => {
  const usecase = new NotificationsUsecase(store, { notify: () => {} }, silent, decodeOrderEvent);
  for (const status of ["new", "awaiting payment", "payed"])
    await usecase.handle(ctx, incoming(value(12, status)));
  expect((await usecase.list(ctx, 12)).map((n) => n.status)).toEqual(["new", "awaiting payment", "payed"]);
  expect(await usecase.list(ctx, 999_999)).toEqual([]);
});

test("a notification the database refuses leaves no event id behind: its redelivery is new", async () => {
  const eventId = crypto.randomUUID();
  const refused = { eventId, orderId: 13, status: "teleported", moment: new Date() };
  const err = await store.record(ctx, refused).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: "INVALID_ARGUMENT" });
  const ids = await db.query("select count(*) from processed_events where event_id = $1", [eventId]);
  expect(Number(ids.rows[0]?.[0])).toBe(0);
  expect(await store.listByOrder(ctx, 13)).toEqual([]);
  // Redelivered (after a fix), the event is handled as new.
  const usecase = new NotificationsUsecase(store, { notify: () => {} }, silent, decodeOrderEvent);
  expect(await usecase.handle(ctx, incoming(value(13, "new", eventId)))).toBe("notified");
});

test("recording stores the notification and its event id once: the second time is a duplicate", async () => {
  const n = { eventId: crypto.randomUUID(), orderId: 15, status: "payed", moment: new Date() };
  expect(await store.record(ctx, n)).toBe(true);
  expect(await store.record(ctx, n)).toBe(false);
  expect((await store.listByOrder(ctx, 15)).map((x) => x.eventId)).toEqual([n.eventId]);
  const ids = await db.query("select count(*) from processed_events where event_id = $1", [n.eventId]);
  expect(Number(ids.rows[0]?.[0])).toBe(1);
});

test("poison messages with NUL bytes are stored once each for inspection", async () => {
  const usecase = new NotificationsUsecase(store, { notify: () => {} }, silent, decodeOrderEvent);
  const hostile = { ...incoming("\u0000{not json", 900), key: "k\u0000", headers: { h: "\u0000" } };
  expect(await usecase.handle(ctx, hostile)).toBe("poison");
  expect(await usecase.handle(ctx, hostile)).toBe("poison"); // redelivered: stored once
  expect(await usecase.handle(ctx, incoming(value(14, "teleported"), 901))).toBe("poison");
  const stored = await q.listPoisonMessages(db);
  expect(stored.map((p) => [p.offset, p.reason])).toEqual([
    [900, "value is not JSON"],
    [901, "status: must be in list [new, awaiting payment, failed, payed, cancelled] [string.in]"],
  ]);
  expect(stored[0]?.value).toBe("\uFFFD{not json");
});
