// The outbox relay against a real Postgres (embedded; the session is direct, as in the stack)
// and the in-process bus: order and shape of what is published, NOTIFY wake-ups, "retry later,
// never skip" on broker failures, one active relay across replicas. (Retention: outbox-cleanup.test.ts.)

import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { Database } from "../platform/db/postgres.ts";
import { type BusMessage, type Delivery, type EventBus, PublishError } from "../platform/events/bus.ts";
import { inProcessBus, partitionOf } from "../platform/events/in-process.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { requestIdKey, withValue } from "../platform/rpc/context-values.ts";
import { startTestPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { observeOutbox } from "./metrics.ts";
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
  const parked: number[] = [];
  const observer: RelayObserver = {
    batch: (size, mode, seconds) => void batches.push({ size, mode, seconds }),
    failed: () => {},
    parked: (count) => void parked.push(count),
    leading: (on) => void leading.push(on),
  };
  return { batches, leading, parked, observer };
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
  // RFC 3339 in UTC, as protobuf JSON writes a Timestamp (0, 3, 6 or 9 fraction digits).
  expect(value.moment).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}){0,3}Z$/);
  expect(Math.abs(Date.parse(value.moment as string) - Date.now())).toBeLessThan(60_000);
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

// A rolling restart stops the active relay whenever it happens to be: once the broker has a batch,
// rolling its transaction back would have the next leader publish it again.
test("stopped after the broker acknowledged a batch, the relay still marks it sent", async () => {
  const inner = inProcessBus(logger);
  await collect(inner, "g-acks"); // the in-process bus acknowledges what a group committed
  let stopRelay = async () => {};
  const stopsOnAck: EventBus = {
    ...inner,
    publish: async (topic, messages, signal) => {
      await inner.publish(topic, messages, signal);
      void stopRelay(); // the shutdown signal fires between the acknowledgement and the commit
    },
  };
  stopRelay = startRelay(stopsOnAck, recorder().observer);
  await usecase.createOrder(backgroundCtx(), 3, [{ sku: 1, count: 1 }]);
  await until(async () => (await pending()) === 0);
  await stopRelay();
  expect(await pending()).toBe(0);
});

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

test("one failing partition does not stop the relay; acknowledged events are never sent again", async () => {
  const inner = inProcessBus(logger);
  const BAD = 2;
  let broken = true;
  const published = new Map<string, number>(); // event id → times handed to the broker
  // A broker on which one partition refuses writes (as with too few in-sync replicas): the
  // others are written and acknowledged, as the Kafka adapter reports it.
  const onePartitionDown: EventBus = {
    ...inner,
    publish: async (topic: string, messages: readonly BusMessage[], signal: AbortSignal) => {
      const bad = (m: BusMessage) => broken && partitionOf(m.key, 6) === BAD;
      const good = messages.filter((m) => !bad(m));
      for (const m of good) {
        const id = m.headers["event-id"] ?? "";
        published.set(id, (published.get(id) ?? 0) + 1);
      }
      await inner.publish(topic, good, signal);
      if (good.length < messages.length) {
        const acknowledged = new Set(messages.flatMap((m, i) => (bad(m) ? [] : [i])));
        throw new PublishError(`partition ${BAD}: NOT_ENOUGH_REPLICAS`, acknowledged);
      }
    },
  };
  const { seen, stop: stopConsumer } = await collect(inner, "g-partition");
  const ctx = backgroundCtx();
  const ids: number[] = [];
  for (let i = 0; i < 120; i++) ids.push(await usecase.createOrder(ctx, 6, [{ sku: 1, count: 1 }]));
  const healthy = ids.filter((id) => partitionOf(String(id), 6) !== BAD);
  const stuck = ids.filter((id) => partitionOf(String(id), 6) === BAD);
  expect(stuck.length).toBeGreaterThan(5);
  const stopRelay = startRelay(onePartitionDown, recorder().observer, {
    pollIntervalMs: 20,
    backoffMaxMs: 2_000,
  });
  // Every order outside the broken partition gets through, with the broken one failing all along.
  await until(() => healthy.every((id) => statusesOf(seen, id).length === 2), 10_000);
  for (const id of stuck) expect(statusesOf(seen, id)).toEqual([]);
  expect([...published.values()].filter((n) => n > 1)).toEqual([]); // nothing acknowledged was re-sent
  broken = false;
  await until(() => stuck.every((id) => statusesOf(seen, id).length === 2), 10_000);
  for (const id of ids) expect(statusesOf(seen, id)).toEqual(["new", "awaiting payment"]);
  expect([...published.values()].filter((n) => n > 1)).toEqual([]);
  await stopRelay();
  await stopConsumer();
}, 40_000);

test("an outbox row it cannot encode (moment in year 1 BC) is parked with its reason; the events after it go out", async () => {
  const bus = inProcessBus(logger);
  const { seen, stop: stopConsumer } = await collect(bus, "g-parked");
  const rec = recorder();
  const stopRelay = startRelay(bus, rec.observer, { pollIntervalMs: 20 });
  // The moment is a literal: the driver could not even send a year-1-BC Date as a parameter.
  const insert = (orderId: number, status: string, moment: string) =>
    db.query(
      `insert into order_events_outbox (event_id, order_id, status, moment) values (gen_random_uuid(), $1, $2, timestamptz '${moment}')`,
      [orderId, status],
    );
  await insert(900_001, "new", "0001-01-01 00:00:00+00 BC");
  // The same order's next event waits behind the parked one (its order stays intact); others go.
  await insert(900_001, "awaiting payment", "2026-11-24 18:00:00+00");
  const later = await usecase.createOrder(backgroundCtx(), 6, [{ sku: 1, count: 1 }]);
  await until(() => statusesOf(seen, later).length === 2, 5_000);
  // Published inside the relay's transaction: wait for its commit before reading the rows.
  await until(async () => (await pending()) === 2, 5_000);
  expect(statusesOf(seen, 900_001)).toEqual([]);
  const parked = await db.query(
    "select status, parked_at is not null, park_reason, sent_at is null from order_events_outbox where order_id = 900001 order by id",
    [],
  );
  expect(parked.rows.map((r) => [r[0], r[1], r[3]])).toEqual([
    ["new", true, true],
    ["awaiting payment", false, true],
  ]);
  expect(String(parked.rows[0]?.[2])).toContain("moment");
  expect(rec.parked).toEqual([1]);
  // Seen on /metrics: one parked row; the relay's lag counts what waits for it, not the year 1 BC.
  const registry = new Registry();
  observeOutbox(registry, db);
  const metrics = await registry.metrics();
  expect(metrics).toMatch(/^outbox_parked_events 1$/m);
  const lag = Number(/^outbox_relay_lag_seconds (\S+)$/m.exec(metrics)?.[1]);
  expect(lag).toBeLessThan(10 * 365 * 86_400); // the held 2026 row, not 2026 years
  // The documented replay: fix the row and unpark it; it goes out, then the one held behind it.
  await db.query(
    "update order_events_outbox set moment = '2026-11-24 17:59:00+00', parked_at = null, park_reason = null where order_id = 900001 and parked_at is not null",
    [],
  );
  await until(() => statusesOf(seen, 900_001).length === 2, 5_000);
  expect(statusesOf(seen, 900_001)).toEqual(["new", "awaiting payment"]);
  await stopRelay();
  await stopConsumer();
}, 20_000);
