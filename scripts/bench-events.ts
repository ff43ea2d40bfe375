// Benchmark (not a test): order events from OrderCreate's commit to the stored notification,
// on the running stack (make stack-up && make stack-run). Creates BENCH_ORDERS orders through
// LOMS's gateway at BENCH_RATE per second, then reads each order's `awaiting payment`
// notification: latency = its created_at (notifications Postgres, start of the storing
// transaction) − its moment (set in LOMS just before the order's transaction commits). Both
// clocks are this machine's.
// Ceiling, measured in the same run: a bare Kafka round trip through the same platform adapter
// (idempotent produce with acks=-1 → a consumer group) on a topic with the same settings. The
// ratio says how much the outbox, relay and notifications add on top of the broker itself.
// Outbox size: sampled every second during the run (all rows, and those still pending), to show
// that retention keeps pace: with LOMS_RELAY_RETENTION_MS / LOMS_RELAY_CLEANUP_INTERVAL_MS set
// short on LOMS, the table levels off near rate × (retention + interval) instead of growing.
//
//   node_modules/.bin/bun scripts/bench-events.ts

import { envInt } from "../platform/config.ts";
import { Database } from "../platform/db/postgres.ts";
import { kafkaBus } from "../platform/events/kafka.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { fmt, startHopProbe, summary } from "./bench/event-hops.ts";
import { cpuReport, snapshot } from "./bench/stack-cpu.ts";
import { ensureTopic } from "./kafka-topic.ts";

const ORDERS = envInt(process.env, "BENCH_ORDERS", 1000, 1);
const RATE = envInt(process.env, "BENCH_RATE", 100, 1);
const LOMS = "http://127.0.0.1:8084";
const BROKERS = ["127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"];
const logger = createLogger("bench");
logger.level = "warn";

/** Runs `fire(i)` for i < count at `rate` per second, at most 50 in flight. */
async function paced(count: number, rate: number, fire: (i: number) => Promise<void>) {
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    if (inFlight.size >= 50) await Promise.race(inFlight);
    const p = fire(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

/** Cumulative bucket counts of a histogram, summed over the given /metrics pages. */
async function buckets(urls: readonly string[], name: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const [, le, n] of text.matchAll(
      new RegExp(`^${name}_bucket\\{le="([^"]+)"[^}]*\\} (\\S+)$`, "gm"),
    )) {
      const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
      out.set(bound, (out.get(bound) ?? 0) + Number(n));
    }
  }
  return out;
}

/** The bucket bound under which quantile q of the observations between two snapshots falls. */
function quantileBound(before: Map<number, number>, after: Map<number, number>, q: number): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= q * total) {
      return bound === Number.POSITIVE_INFINITY ? "> max bucket" : `≤ ${bound * 1000} ms`;
    }
  }
  return "n/a";
}

/** Samples the outbox's size every second until stopped: [seconds, rows, pending]. */
function sampleOutbox() {
  const db = new Database({
    url: "postgres://loms:loms@127.0.0.1:5434/loms",
    max: 1,
    applicationName: "bench",
  });
  const samples: [number, number, number][] = [];
  const start = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.query(
        "select count(*), count(*) filter (where sent_at is null) from order_events_outbox",
        [],
      );
      samples.push([
        Math.round((performance.now() - start) / 1000),
        Number(rows[0]?.[0]),
        Number(rows[0]?.[1]),
      ]);
      await Bun.sleep(1_000);
    }
  })();
  return async () => {
    running = false;
    await loop;
    await db.close();
    return samples;
  };
}

const NOTIFICATION_URLS = [8085, 8086, 8087].map((p) => `http://127.0.0.1:${p}`);
const stages = async () => ({
  publish: await buckets([LOMS], "outbox_relay_publish_seconds"),
  handle: await buckets(NOTIFICATION_URLS, "notifications_handle_seconds"),
});

async function relayMetrics() {
  const text = await (await fetch(`${LOMS}/metrics`)).text();
  const read = (name: string, mode: string) =>
    Number(new RegExp(`${name}\\{[^}]*woken_by="${mode}"[^}]*\\} ([0-9.e+]+)`).exec(text)?.[1] ?? 0);
  const modes = ["notify", "poll", "drain", "retry", "start"];
  return Object.fromEntries(
    modes.map((m) => [
      m,
      { batches: read("outbox_relay_batch_size_count", m), events: read("outbox_relay_batch_size_sum", m) },
    ]),
  );
}

async function endToEnd() {
  const notes = new Database({
    url: "postgres://notifications:notifications@127.0.0.1:5435/notifications",
    max: 2,
    applicationName: "bench",
  });
  const before = await relayMetrics();
  const stagesBefore = await stages();
  const user = 5_000_000 + Math.floor(Math.random() * 1_000_000);
  const orderIds: number[] = [];
  let refused = 0;
  await paced(ORDERS, RATE, async () => {
    const res = await fetch(`${LOMS}/order/create`, {
      method: "POST",
      body: JSON.stringify({ user_id: user, items: [{ sku: 1625903, count: 1 }] }),
    });
    const body = (await res.json()) as { order_id?: string | number };
    if (res.status === 200) orderIds.push(Number(body.order_id));
    else refused++;
  });
  const query = `select extract(epoch from (created_at - moment)) * 1000
                 from notifications where status = 'awaiting payment' and order_id = any($1::bigint[])`;
  const deadline = Date.now() + 60_000;
  let rows: unknown[][] = [];
  while (Date.now() < deadline) {
    rows = (await notes.query(query, [orderIds.map(String)])).rows;
    if (rows.length === orderIds.length) break;
    await Bun.sleep(200);
  }
  await notes.close();
  const after = await relayMetrics();
  const stagesAfter = await stages();
  const stageLine = (name: "publish" | "handle") =>
    `p50 ${quantileBound(stagesBefore[name], stagesAfter[name], 0.5)}, p99 ${quantileBound(stagesBefore[name], stagesAfter[name], 0.99)}`;
  const relay = Object.entries(after)
    .map(([mode, a]) => ({
      mode,
      batches: a.batches - (before[mode]?.batches ?? 0),
      events: a.events - (before[mode]?.events ?? 0),
    }))
    .filter((r) => r.batches > 0);
  return {
    latencies: rows.map((r) => Number(r[0])),
    orderIds,
    stored: rows.length,
    created: orderIds.length,
    refused,
    relay,
    publish: stageLine("publish"),
    handle: stageLine("handle"),
  };
}

async function kafkaCeiling() {
  const topic = "bench.round-trip";
  ensureTopic(topic);
  const bus = kafkaBus({ brokers: BROKERS, clientId: "bench", logger });
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const run = `${Date.now()}`;
  const sub = await bus.subscribe({
    topic,
    group: `bench-${run}`,
    handler: async (d) => {
      const t = sent.get(d.value);
      if (t !== undefined) latencies.push(performance.now() - t);
    },
  });
  // Let the group settle and warm the producer before timing.
  await bus.publish(topic, [{ key: "warm", value: "warm", headers: {} }], AbortSignal.timeout(30_000));
  await Bun.sleep(3_000);
  await paced(ORDERS, RATE, async (i) => {
    const value = `${run}-${i}`;
    sent.set(value, performance.now());
    await bus.publish(topic, [{ key: String(i), value, headers: {} }], AbortSignal.timeout(30_000));
  });
  const deadline = Date.now() + 30_000;
  while (latencies.length < ORDERS && Date.now() < deadline) await Bun.sleep(100);
  await sub.stop();
  await bus.close();
  return latencies;
}

const probe = await startHopProbe(BROKERS, "loms.order-events");
const stopSampling = sampleOutbox();
const cpuBefore = snapshot();
const e2e = await endToEnd();
const cpuAfter = snapshot();
const outbox = await stopSampling();
const hops = await probe.hops(e2e.orderIds);
const ceiling = await kafkaCeiling();
const e = summary(e2e.latencies);
const c = summary(ceiling);
console.log(
  `orders: ${e2e.created} created (${e2e.refused} refused) at ${RATE}/s, ${e2e.stored} notifications stored`,
);
console.log(`OrderCreate commit → stored notification:  ${fmt(e)}`);
console.log(`ceiling, Kafka round trip (acks=-1, group): ${fmt(c)}  (${ceiling.length} messages)`);
console.log(`ratio to ceiling: p50 ×${(e.p50 / c.p50).toFixed(2)}  p99 ×${(e.p99 / c.p99).toFixed(2)}`);
for (const r of e2e.relay) {
  console.log(
    `relay woken by ${r.mode}: ${r.batches} batches, ${r.events} events, mean batch ${(r.events / r.batches).toFixed(2)}`,
  );
}
for (const [hop, values] of Object.entries(hops)) console.log(`hop ${hop}: ${fmt(summary(values))}`);
console.log(
  `stages (histogram buckets): relay publish to ack ${e2e.publish}; notification handling ${e2e.handle}`,
);
const every = Math.max(1, Math.ceil(outbox.length / 12));
console.log(
  `outbox rows (pending) over time: ${outbox
    .filter((_, i) => i % every === 0 || i === outbox.length - 1)
    .map(([t, rows, pending]) => `${t}s ${rows} (${pending})`)
    .join(", ")}; max ${Math.max(...outbox.map(([, rows]) => rows))}`,
);
for (const line of cpuReport(cpuBefore, cpuAfter, e2e.created, "order")) console.log(line);
console.log(`goal p99 < 50 ms: ${e.p99 < 50 ? "met" : "NOT met"}`);
process.exit(0);
