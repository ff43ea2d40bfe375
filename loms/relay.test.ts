// The outbox relay against a real Postgres (embedded; the session is direct, as in the stack)
// and the in-process bus: order and shape of what is published, NOTIFY wake-ups, "retry later,
// never skip" on broker failures, one active relay across replicas, retention.

import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { Database } from "../platform/db/postgres.ts";
import type { BusMessage, Delivery, EventBus } from "../platform/events/bus.ts";
import { inProcessBus } from "../platform/events/in-process.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { withValue } from "../platform/rpc/context-values.ts";
import { requestIdKey } from "../platform/rpc/interceptors/request-id.ts";
import { startTestPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { pgOutboxSessions } from "./outbox-repo.ts";
import { type RelayObserver, type RelayOptions, runRelay, type WakeMode } from "./relay.ts";
import { PgLomsStore } from "./repo.ts";
import { LomsUsecase } from "./usecase.ts";

const logger = createLogger("relay-test");
const TOPIC = "loms.order-events";
let pg: TestPostgres;
let db: Database;
let usecase: LomsUsecase;
let directUrl: string;

const OPTIONS: RelayOptions = {
  topic: TOPIC,
  batchSize: 50,
  pollIntervalMs: 60_000, // so that only NOTIFY can wake the relay quickly
  lockRetryMs: 50,
  publishTimeoutMs: 5_000,
  backoffInitialMs: 20,
  backoffMaxMs: 100,
  retentionMs: 3_600_000,
  cleanupIntervalMs: 3_600_000,
};

beforeAll(async () => {
  pg = await startTestPostgres(["loms"]);
  directUrl = pg.url("loms");
  db = new Database({ url: directUrl, max: 10, applicationName: "relay-test" });
  usecase = new LomsUsecase(new PgLomsStore(db));
  await db.query("insert into stocks (sku, total_count, reserved) values (1, 1000000, 0)", []);
}, 20_000);
// Relays and consumers a test started; stopped even when the test fails, so that a leftover
// relay cannot hold the lock in the next test.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 20_000);
afterAll(async () => {
  await db?.close();
  await pg?.stop();
}, 20_000);

// Only records: the relay calls the observer inside its loop, which catches what it throws, so
// an `expect` here could never fail a test. The tests assert on what was recorded.
function recorder() {
  const batches: { size: number; mode: WakeMode; seconds: number }[] = [];
  const leading: boolean[] = [];
  const observer: RelayObserver = {
    batch: (size, mode, seconds) => void batches.push({ size, mode, seconds }),
    failed: () => {},
    leading: (on) => void leading.push(on),
  };
  return { batches, leading, observer };
}

function startRelay(bus: EventBus, observer: RelayObserver, options: Partial<RelayOptions> = {}) {
  const stop = new AbortController();
  const done = runRelay(
    pgOutboxSessions(directUrl),
    { bus, options: { ...OPTIONS, ...options }, logger, observer },
    stop.signal,
  );
  let stopped = false;
  const stopRelay = async () => {
    if (stopped) return;
    stopped = true;
    stop.abort(new Error("test over"));
    await done;
  };
  cleanups.push(stopRelay);
  return stopRelay;
}

async function collect(bus: EventBus, group: string) {
  const seen: Delivery[] = [];
  const sub = await bus.subscribe({ topic: TOPIC, group, handler: async (d) => void seen.push(d) });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sub.stop();
  };
  cleanups.push(stop);
  return { seen, stop };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

const pending = async () =>
  Number((await db.query("select count(*) from order_events_outbox where sent_at is null", [])).rows[0]?.[0]);
const statusesOf = (seen: Delivery[], orderId: number) =>
  seen
    .filter((d) => d.key === String(orderId))
    .map((d) => (JSON.parse(d.value) as { status: string }).status);

test("publishes each order's events in order, in DESIGN's shape, woken by NOTIFY, and marks them sent", async () => {
  const bus = inProcessBus(logger);
  const { seen, stop: stopConsumer } = await collect(bus, "g1");
  const rec = recorder();
  const stopRelay = startRelay(bus, rec.observer);
  const ctx = withValue(backgroundCtx(), requestIdKey, "req-relay-1");
  const paid = await usecase.createOrder(ctx, 1, [{ sku: 1, count: 1 }]);
  await until(() => seen.length === 2 && rec.batches.reduce((n, b) => n + b.size, 0) === 2, 3_000);
  // The relay now waits (a 60 s poll): only NOTIFY can bring the payment over this quickly.
  const batchesBefore = rec.batches.length;
  await usecase.payOrder(ctx, paid);
  await until(() => seen.length === 3 && rec.batches.length > batchesBefore, 3_000);
  expect(rec.batches.slice(batchesBefore).map((b) => b.mode)).toEqual(["notify"]);
  // Each batch's publish time was measured: a duration, not a placeholder or a timestamp.
  expect(rec.batches.filter((b) => !(b.seconds > 0 && b.seconds < 3))).toEqual([]);
  const cancelled = await usecase.createOrder(ctx, 1, [{ sku: 1, count: 1 }]);
  await usecase.cancelOrder(ctx, cancelled);
  await until(() => seen.length === 6, 3_000); // far below the 60 s poll
  await until(async () => (await pending()) === 0);
  expect(statusesOf(seen, paid)).toEqual(["new", "awaiting payment", "payed"]);
  expect(statusesOf(seen, cancelled)).toEqual(["new", "awaiting payment", "cancelled"]);
  const first = seen[0] as Delivery;
  const value = JSON.parse(first.value) as Record<string, unknown>;
  expect(Object.keys(value).sort()).toEqual(["event_id", "moment", "order_id", "status"]);
  expect(value.order_id).toBe(paid);
  expect(new Date(value.moment as string).toISOString()).toBe(value.moment as string);
  expect(first.headers).toEqual({ "event-id": value.event_id as string, "x-request-id": "req-relay-1" });
  await stopRelay();
  await stopConsumer();
}, 20_000);

test("a broker failure keeps the events pending with attempts and last error; they go out later, in order", async () => {
  const inner = inProcessBus(logger);
  let failuresLeft = 3;
  const flaky: EventBus = {
    ...inner,
    publish: async (topic: string, messages: readonly BusMessage[], signal: AbortSignal) => {
      if (failuresLeft-- > 0) throw new Error("broker not available");
      await inner.publish(topic, messages, signal);
    },
  };
  const { seen, stop: stopConsumer } = await collect(inner, "g2");
  const ctx = backgroundCtx();
  const id = await usecase.createOrder(ctx, 2, [{ sku: 1, count: 1 }]);
  await usecase.payOrder(ctx, id);
  const rec = recorder();
  const stopRelay = startRelay(flaky, rec.observer, { pollIntervalMs: 20 });
  await until(async () => {
    const { rows } = await db.query(
      "select attempts, last_error from order_events_outbox where order_id = $1",
      [id],
    );
    return rows.every((r) => Number(r[0]) >= 1 && String(r[1]).includes("broker not available"));
  });
  await until(() => statusesOf(seen, id).length === 3);
  expect(statusesOf(seen, id)).toEqual(["new", "awaiting payment", "payed"]);
  await until(async () => (await pending()) === 0); // marked sent right after the broker's ack
  const { rows } = await db.query(
    "select attempts, sent_at is not null from order_events_outbox where order_id = $1",
    [id],
  );
  expect(rows).toEqual([
    [3, true],
    [3, true],
    [3, true],
  ]);
  await stopRelay();
  await stopConsumer();
}, 20_000);

test("a publish the broker never answers is given up after the publish timeout and retried, in order", async () => {
  const inner = inProcessBus(logger);
  let hangsLeft = 1;
  // Like kafkajs after a broker loss: the send never settles; only the caller's signal ends the wait.
  const silent: EventBus = {
    ...inner,
    publish: (topic: string, messages: readonly BusMessage[], signal: AbortSignal) => {
      if (hangsLeft-- <= 0) return inner.publish(topic, messages, signal);
      return new Promise<void>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
      );
    },
  };
  const { seen, stop: stopConsumer } = await collect(inner, "g-silent");
  const ctx = backgroundCtx();
  const id = await usecase.createOrder(ctx, 5, [{ sku: 1, count: 1 }]);
  await usecase.payOrder(ctx, id);
  const stopRelay = startRelay(silent, recorder().observer, { pollIntervalMs: 20, publishTimeoutMs: 300 });
  await until(() => statusesOf(seen, id).length === 3, 10_000);
  expect(statusesOf(seen, id)).toEqual(["new", "awaiting payment", "payed"]);
  const { rows } = await db.query(
    "select attempts, last_error from order_events_outbox where order_id = $1 order by id",
    [id],
  );
  for (const row of rows) {
    expect(Number(row[0])).toBe(1);
    expect(String(row[1])).toMatch(/timeout|timed out/i);
  }
  await stopRelay();
  await stopConsumer();
}, 20_000);

test("one relay is active at a time; a standby takes over when the active one stops", async () => {
  const bus = inProcessBus(logger);
  const { seen, stop: stopConsumer } = await collect(bus, "g3");
  const a = recorder();
  const b = recorder();
  const stopA = startRelay(bus, a.observer);
  await until(() => a.leading.includes(true));
  const stopB = startRelay(bus, b.observer);
  const ctx = backgroundCtx();
  const ids: number[] = [];
  for (let i = 0; i < 20; i++) ids.push(await usecase.createOrder(ctx, 3, [{ sku: 1, count: 1 }]));
  await until(() => ids.every((id) => statusesOf(seen, id).length === 2));
  expect(b.leading).not.toContain(true);
  await stopA();
  await until(() => b.leading.includes(true));
  const later = await usecase.createOrder(ctx, 3, [{ sku: 1, count: 1 }]);
  await until(() => statusesOf(seen, later).length === 2);
  // Every event exactly once: a standby never published alongside the active relay.
  for (const id of [...ids, later]) expect(statusesOf(seen, id)).toEqual(["new", "awaiting payment"]);
  await stopB();
  await stopConsumer();
}, 20_000);

test("sent events are deleted after the retention, pending ones never", async () => {
  await db.query(
    "update order_events_outbox set sent_at = now() - interval '2 hours' where sent_at is not null",
    [],
  );
  const ctx = backgroundCtx();
  // Pending while no relay runs:
  const id = await usecase.createOrder(ctx, 4, [{ sku: 1, count: 1 }]);
  const failing: EventBus = {
    ...inProcessBus(logger),
    publish: async () => Promise.reject(new Error("down")),
  };
  const stopRelay = startRelay(failing, recorder().observer, { cleanupIntervalMs: 1, pollIntervalMs: 20 });
  await until(async () => {
    const { rows } = await db.query("select count(*) from order_events_outbox where sent_at is not null", []);
    return Number(rows[0]?.[0]) === 0;
  });
  await stopRelay();
  const { rows } = await db.query(
    "select count(*) from order_events_outbox where order_id = $1 and sent_at is null",
    [id],
  );
  expect(Number(rows[0]?.[0])).toBe(2);
}, 20_000);
