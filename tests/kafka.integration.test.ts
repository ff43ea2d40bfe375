// The Kafka adapter itself against the real three-broker cluster, through a broker SIGKILL:
// 100 sequential idempotent sends (acks=-1) of 8 keyed messages each, so that every send spans
// several partitions and brokers, with the relay's policy — a failed send is retried, never
// skipped. Every message must arrive, each key's in send order, within a bound.
// Guards against kafkajs defects seen here: after a failed send kafkajs kept failing every later
// send (OUT_OF_ORDER_SEQUENCE_NUMBER) until the adapter learned to replace its producer; and a
// multi-broker send whose dead leader's partitions moved to a broker that had already answered
// resolved without writing them (tulios/kafkajs#1303) until the adapter sent per partition.

import { beforeAll, expect, test } from "bun:test";
import type { Delivery } from "../platform/events/bus.ts";
import { kafkaBus } from "../platform/events/kafka.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { ensureTopic } from "../scripts/kafka-topic.ts";
import { restart, sigkill, until } from "./support/stack.ts";

const BROKERS = ["127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"];
const TOPIC = "test.kafka-adapter";

beforeAll(() => {
  ensureTopic(TOPIC); // the order-events settings, without writing into that topic
}, 60_000);

test("100 multi-partition sends through a broker SIGKILL all arrive, in order per key", async () => {
  const logger = createLogger("kafka-test");
  const bus = kafkaBus({ brokers: BROKERS, clientId: "kafka-test", logger, ackTimeoutMs: 5_000 });
  const run = `kafka-test-${Date.now()}`;
  const KEYS = 16;
  const sent = new Map<string, number>(); // per key, how many were acknowledged
  const seen: Delivery[] = [];
  const sub = await bus.subscribe({
    topic: TOPIC,
    group: run,
    handler: async (d) => {
      if (d.value.startsWith(run)) seen.push(d);
    },
  });
  let failures = 0;
  try {
    for (let i = 0; i < 100; i++) {
      if (i === 25) await sigkill("kafka-3");
      if (i === 60) restart("kafka-3"); // its return moves leadership again, mid-run
      const keys = Array.from({ length: 8 }, (_, j) => `${run}-${(i * 8 + j) % KEYS}`);
      const batch = keys.map((key) => ({ key, value: `${run} ${sent.get(key) ?? 0}`, headers: {} }));
      for (;;) {
        try {
          await bus.publish(TOPIC, batch, AbortSignal.timeout(20_000));
          break;
        } catch {
          failures++;
          expect(failures).toBeLessThan(30); // retries must recover, not fail forever
          await Bun.sleep(200);
        }
      }
      for (const key of keys) sent.set(key, (sent.get(key) ?? 0) + 1);
    }
    await until(
      "all 800 messages to be consumed",
      async () => new Set(seen.map((d) => `${d.key} ${d.value}`)).size === 800,
      60_000,
    );
    for (const [key, count] of sent) {
      const values = seen.filter((d) => d.key === key).map((d) => Number(d.value.split(" ")[1]));
      const firstSeen = values.filter((v, idx) => values.indexOf(v) === idx); // a retried send may repeat
      expect(firstSeen).toEqual(Array.from({ length: count }, (_, j) => j));
    }
    console.log(`kafka adapter: ${failures} failed send(s) retried through the broker kill and return`);
  } finally {
    await sub.stop();
    await bus.close();
    restart("kafka-3");
  }
}, 240_000);
