// Sends to one partition at a time, per partition, through an idempotent kafkajs producer.
//
// Why per partition: an idempotent producer numbers its messages per partition, and kafkajs
// does not coordinate concurrent sends to one partition: they reuse sequence numbers, and the
// broker drops or refuses all but one while every send resolves (tulios/kafkajs#353, #1005).
// Sends to different partitions use different sequences, so they may overlap; each partition's
// sends are queued, one at a time, across every publish of the process.
//
// Why generations: after a failed send kafkajs's sequence for that partition no longer matches
// the broker's, and every later send there fails with OUT_OF_ORDER_SEQUENCE_NUMBER. The producer
// is then retired — the next send starts a new one (a new producer id starts over) — and
// disconnected once the sends other partitions still have on it are done, so that one
// partition's failure does not fail the others' sends in flight.

import { type Kafka, Partitioners, type Producer } from "kafkajs";
import { sleep } from "../rpc/context.ts";
import type { BusMessage } from "./bus.ts";

const DISCONNECT_WAIT_MS = 2_000;

interface Generation {
  readonly producer: Promise<Producer>;
  inFlight: number;
  retired: boolean;
}

export interface PartitionSender {
  /** Resolves once the partition's leader acknowledged the batch (acks = -1). */
  send(topic: string, partition: number, batch: readonly BusMessage[]): Promise<void>;
  close(): Promise<void>;
}

export function partitionSender(kafka: Kafka, ackTimeoutMs: number): PartitionSender {
  let current: Generation | undefined;
  const start = (): Generation => {
    const generation: Generation = {
      producer: (async () => {
        const p = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1, // retries cannot reorder a partition
          createPartitioner: Partitioners.DefaultPartitioner, // unused: sends name their partition
          allowAutoTopicCreation: false,
        });
        await p.connect();
        return p;
      })(),
      inFlight: 0,
      retired: false,
    };
    generation.producer.catch(() => retire(generation)); // the next send connects afresh
    return generation;
  };
  const retire = (generation: Generation) => {
    generation.retired = true;
    if (current === generation) current = undefined;
    if (generation.inFlight === 0) void disconnect(generation);
  };
  // Bounded: a producer that stopped answering may not answer its disconnect either.
  const disconnect = async (generation: Generation) => {
    const p = await generation.producer.catch(() => undefined);
    if (p) await Promise.race([p.disconnect().catch(() => {}), sleep(DISCONNECT_WAIT_MS)]);
  };

  const queues = new Map<string, Promise<unknown>>();
  const serially = <T>(queue: string, work: () => Promise<T>): Promise<T> => {
    const run = (queues.get(queue) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => {});
    queues.set(queue, settled);
    void settled.then(() => {
      if (queues.get(queue) === settled) queues.delete(queue);
    });
    return run;
  };

  const sendNow = async (topic: string, partition: number, batch: readonly BusMessage[]) => {
    current ??= start();
    const generation = current;
    generation.inFlight++;
    try {
      const acks = await (await generation.producer).send({
        topic,
        acks: -1,
        timeout: ackTimeoutMs,
        messages: batch.map((m) => ({ partition, key: m.key, value: m.value, headers: { ...m.headers } })),
      });
      // Belt and braces: resolve only on an acknowledgement for this very partition.
      if (!acks.some((a) => a.partition === partition && a.errorCode === 0))
        throw new Error(`kafka: send to ${topic}[${partition}] resolved without its acknowledgement`);
    } catch (err) {
      retire(generation);
      throw err;
    } finally {
      generation.inFlight--;
      if (generation.retired && generation.inFlight === 0) void disconnect(generation);
    }
  };

  return {
    send: (topic, partition, batch) =>
      serially(`${topic}\u0000${partition}`, () => sendNow(topic, partition, batch)),
    async close() {
      await Promise.allSettled(queues.values());
      const last = current;
      current = undefined;
      if (last) await disconnect(last);
    },
  };
}
