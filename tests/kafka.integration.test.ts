// The Kafka adapter itself against the real three-broker cluster, through a broker SIGKILL:
// 200 sequential idempotent keyed sends (acks=-1) with the relay's policy — a failed send is
// retried, never skipped. Every message must arrive, each key's in send order, within a bound.
// Guards against Bun/kafkajs regressions seen here: a send can fail once leadership moves, and
// kafkajs then kept failing every later send (OUT_OF_ORDER_SEQUENCE_NUMBER) until the adapter
// learned to replace its producer.

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

test("200 sequential sends through a broker SIGKILL all arrive, in order per key", async () => {
  const logger = createLogger("kafka-test");
  const bus = kafkaBus({ brokers: BROKERS, clientId: "kafka-test", logger, ackTimeoutMs: 5_000 });
  const run = `kafka-test-${Date.now()}`;
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
    for (let i = 0; i < 200; i++) {
      if (i === 50) await sigkill("kafka-3");
      const message = { key: `${run}-${i % 5}`, value: `${run} ${i}`, headers: {} };
      for (;;) {
        try {
          await bus.publish(TOPIC, [message], AbortSignal.timeout(20_000));
          break;
        } catch {
          failures++;
          expect(failures).toBeLessThan(20); // retries must recover, not fail forever
          await Bun.sleep(200);
        }
      }
    }
    await until(
      "all 200 messages to be consumed",
      async () => new Set(seen.map((d) => d.value)).size === 200,
      30_000,
    );
    for (let k = 0; k < 5; k++) {
      const values = seen.filter((d) => d.key === `${run}-${k}`).map((d) => Number(d.value.split(" ")[1]));
      const firstSeen = values.filter((v, idx) => values.indexOf(v) === idx); // a retried send may repeat
      expect(firstSeen).toEqual(Array.from({ length: 40 }, (_, j) => k + 5 * j));
    }
    console.log(`kafka adapter: ${failures} failed send(s) retried through the broker kill`);
  } finally {
    await sub.stop();
    await bus.close();
    restart("kafka-3");
  }
}, 180_000);
