// The order-events consumer on real Postgres (embedded) and the in-process bus, one partition:
// no single message stops the partition. Every invalid shape of event, and an event the database
// rejects as data, is stored as poison with its reason and handled once (never retried); the
// valid event behind them is notified. A transient database fault (the connection killed
// mid-statement) is retried, not poisoned.

import { afterAll, beforeAll, expect, test } from "bun:test";
import * as q from "../gen/sql/notifications/notifications_sql.ts";
import { Database } from "../platform/db/postgres.ts";
import type { EventBus } from "../platform/events/bus.ts";
import { inProcessBus } from "../platform/events/in-process.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { startTestPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { consumeOrderEvents } from "./consumer.ts";
import { decodeOrderEvent } from "./event-decoding.ts";
import type { NotificationStore } from "./ports.ts";
import { PgNotificationStore } from "./repo.ts";
import { NotificationsUsecase } from "./usecase.ts";

const logger = createLogger("consumer-test");
const TOPIC = "loms.order-events";
let pg: TestPostgres;
let db: Database;
let admin: Database;

beforeAll(async () => {
  pg = await startTestPostgres(["notifications"]);
  db = new Database({ url: pg.url("notifications"), max: 5, applicationName: "consumer-test" });
  admin = new Database({ url: pg.url("notifications"), max: 1, applicationName: "consumer-test-admin" });
}, 30_000);
afterAll(async () => {
  await db?.close();
  await admin?.close();
  await pg?.stop();
}, 20_000);

const event = (orderId: number, overrides: Record<string, unknown> = {}) => ({
  event_id: crypto.randomUUID(),
  order_id: orderId,
  status: "payed",
  moment: "2026-11-24T18:00:00.123Z",
  ...overrides,
});

/**
 * Consumes with a one-partition bus; counts handler calls per offset (a retry calls twice). A
 * topic per test: poison is stored once per topic, partition and offset.
 */
async function consume(store: NotificationStore, group: string) {
  const topic = `${TOPIC}.${group}`;
  const bus = inProcessBus(logger, 1);
  const calls = new Map<string, number>();
  const counting: EventBus = {
    ...bus,
    subscribe: (options) =>
      bus.subscribe({
        ...options,
        handler: (delivery, signal) => {
          calls.set(delivery.offset, (calls.get(delivery.offset) ?? 0) + 1);
          return options.handler(delivery, signal);
        },
      }),
  };
  const usecase = new NotificationsUsecase(
    store,
    { notify: () => {} },
    { handled: () => {}, poison: () => {} },
    decodeOrderEvent,
  );
  const subscription = await consumeOrderEvents(counting, usecase, topic, group);
  const publish = (values: readonly string[]) =>
    bus.publish(
      topic,
      values.map((value) => ({ key: "42", value, headers: {} })),
      AbortSignal.timeout(1_000),
    );
  return { calls, publish, stop: () => subscription.stop() };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not in ${timeoutMs} ms: ${what}`);
    await Bun.sleep(20);
  }
}

const notificationsOf = (orderId: number) => q.listNotifications(db, { orderId });
const poisonCount = async () =>
  Number((await db.query("select count(*) from poison_messages", [])).rows[0]?.[0]);

test("every invalid shape is stored as poison with its reason, once, and the valid event behind it is notified", async () => {
  const before = await poisonCount();
  const invalid: [string, string][] = [
    ["not JSON", "{broken"],
    ["a JSON array", "[1,2]"],
    ["JSON null", "null"],
    ["moment in year 0000", JSON.stringify(event(1001, { moment: "0000-01-01T00:00:00Z" }))],
    [
      "moment in year 0000 with an offset",
      JSON.stringify(event(1002, { moment: "0000-12-31T23:00:00-05:00" })),
    ],
    ["moment before 2000", JSON.stringify(event(1003, { moment: "1999-12-31T23:59:59Z" }))],
    ["moment not a timestamp", JSON.stringify(event(1004, { moment: "yesterday" }))],
    ["moment missing", JSON.stringify({ ...event(1005), moment: undefined })],
    ["NUL in the status", JSON.stringify(event(1006, { status: "payed\u0000" }))],
    ["NUL in the event id", JSON.stringify(event(1007, { event_id: `${crypto.randomUUID()}\u0000` }))],
    ["order_id 0", JSON.stringify(event(0))],
    ["order_id negative", JSON.stringify(event(-7))],
    ["order_id 2^53 (beyond the safe range)", JSON.stringify(event(2 ** 53))],
    [
      "order_id 2^63 as a number",
      JSON.stringify(event(1)).replace('"order_id":1', '"order_id":9223372036854775808'),
    ],
    ["order_id 2^63 as a string", JSON.stringify(event(1, { order_id: "9223372036854775808" }))],
    ["order_id a fraction", JSON.stringify(event(1, { order_id: 1.5 }))],
    ["unknown status", JSON.stringify(event(1008, { status: "shipped" }))],
    ["bad uuid", JSON.stringify(event(1009, { event_id: "not-a-uuid" }))],
  ];
  const valid = event(42);
  const c = await consume(new PgNotificationStore(db), "g-shapes");
  try {
    await c.publish([...invalid.map(([, value]) => value), JSON.stringify(valid)]);
    await until(
      async () => (await notificationsOf(42)).length === 1,
      "the valid event behind the poison is notified",
    );
    expect((await notificationsOf(42))[0]?.eventId).toBe(valid.event_id);
    const poison = (await q.listPoisonMessages(db)).slice(before);
    expect(poison.map((p) => p.offset)).toEqual(invalid.map((_, i) => i));
    for (const [i, p] of poison.entries()) {
      expect([invalid[i]?.[0], p.reason.length > 0]).toEqual([invalid[i]?.[0], true]);
    }
    // Never retried: every message was handed to the handler exactly once.
    expect([...c.calls.values()].every((n) => n === 1)).toBe(true);
    expect(c.calls.size).toBe(invalid.length + 1);
    for (const orderId of [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]) {
      expect(await notificationsOf(orderId)).toEqual([]);
    }
  } finally {
    await c.stop();
  }
}, 20_000);

test("an event the database rejects as data (a CHECK, SQLSTATE 23514) is poison, not retried", async () => {
  await admin.query("alter table notifications add constraint test_reject_777 check (order_id <> 777)", []);
  const before = await poisonCount();
  const c = await consume(new PgNotificationStore(db), "g-rejected");
  try {
    const next = event(43);
    await c.publish([JSON.stringify(event(777)), JSON.stringify(next)]);
    await until(
      async () => (await notificationsOf(43)).length === 1,
      "the event behind the rejected one is notified",
    );
    const poison = (await q.listPoisonMessages(db)).slice(before);
    expect(poison).toHaveLength(1);
    expect(poison[0]?.reason).toContain("23514");
    expect(c.calls.get("0")).toBe(1);
    // The rejected event left nothing behind: its id is not marked processed.
    const { rows } = await db.query(
      "select count(*) from processed_events pe join notifications n using (event_id) where n.order_id = 777",
      [],
    );
    expect(Number(rows[0]?.[0])).toBe(0);
  } finally {
    await c.stop();
    await admin.query("alter table notifications drop constraint test_reject_777", []);
  }
}, 20_000);

test("a transient fault (the connection killed mid-statement) is retried, not poisoned", async () => {
  const storeDb = new Database({
    url: pg.url("notifications"),
    max: 2,
    applicationName: "consumer-test-store",
  });
  const holder = new Database({
    url: pg.url("notifications"),
    max: 1,
    applicationName: "consumer-test-lock",
  });
  const real = new PgNotificationStore(storeDb);
  let attempts = 0;
  // Once: a lock holds the event's statement, and its server connection is killed while it
  // waits — a real connection loss (57P01 on the socket), as when Postgres or pgbouncer restarts.
  const killedMidStatement = async (record: () => Promise<boolean>) => {
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holding = holder.withTx(AbortSignal.timeout(10_000), async (tx) => {
      await tx.query("lock table notifications in share mode", []);
      locked();
      await released;
    });
    await isLocked;
    const recording = record();
    recording.catch(() => {});
    await until(
      async () =>
        (
          await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = 'consumer-test-store' and wait_event_type = 'Lock'`,
            [],
          )
        ).rows.length > 0,
      "the statement waits on the lock",
    );
    release();
    await holding;
    return recording;
  };
  const faulty: NotificationStore = {
    listByOrder: (ctx, orderId) => real.listByOrder(ctx, orderId),
    savePoison: (ctx, message, reason) => real.savePoison(ctx, message, reason),
    listPoison: (ctx, limit) => real.listPoison(ctx, limit),
    markPoisonReplayed: (ctx, id) => real.markPoisonReplayed(ctx, id),
    record: (ctx, n) =>
      attempts++ === 0 ? killedMidStatement(() => real.record(ctx, n)) : real.record(ctx, n),
  };
  const before = await poisonCount();
  const c = await consume(faulty, "g-transient");
  try {
    const valid = event(44);
    await c.publish([JSON.stringify(valid)]);
    await until(
      async () => (await notificationsOf(44)).length === 1,
      "the event is notified after the fault",
    );
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(c.calls.get("0")).toBeGreaterThanOrEqual(2); // retried by the bus, the same message
    expect(await poisonCount()).toBe(before);
  } finally {
    await c.stop();
    await storeDb.close(1);
    await holder.close(1);
  }
}, 20_000);

test("scripts/replay-poison.ts turns poison that passes now into its notification, once, and leaves the rest", async () => {
  // The 23514 test above left order 777's event as poison; its constraint is gone now.
  const unreplayed = async () =>
    (await db.query("select value from poison_messages where replayed_at is null order by id", [])).rows.map(
      (r) => String(r[0]),
    );
  const before = await unreplayed();
  const rejected = before.filter((v) => v.includes('"order_id":777'));
  expect(rejected).toHaveLength(1);
  const replay = async () => {
    const child = Bun.spawn([process.execPath, "scripts/replay-poison.ts", "--limit", "100"], {
      env: { ...process.env, NOTIFICATIONS_DATABASE_URL: pg.url("notifications") },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    return out;
  };
  const out = await replay();
  expect(out).toContain(`replayed 1 of ${before.length}; ${before.length - 1} still poison`);
  expect((await notificationsOf(777)).map((n) => n.status)).toEqual(["payed"]);
  expect(await unreplayed()).toEqual(before.filter((v) => !v.includes('"order_id":777')));
  // Run again: nothing new replays, and the notification stays single.
  expect(await replay()).toContain(`replayed 0 of ${before.length - 1}`);
  expect(await notificationsOf(777)).toHaveLength(1);
}, 30_000);
