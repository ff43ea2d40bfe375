// Sends to one partition at a time, per partition, each partition through its own idempotent
// kafkajs producer.
//
// Why one at a time per partition: an idempotent producer numbers its messages per partition,
// and kafkajs does not coordinate concurrent sends to one partition: they reuse sequence numbers,
// and the broker drops or refuses all but one while every send resolves (tulios/kafkajs#353,
// #1005). So each partition's sends are queued, one at a time, across every publish of the process.
//
// Why a producer per partition: with maxInFlightRequests 1 (what keeps retries from reordering),
// kafkajs lets one request at a time onto each broker connection of a producer. With one producer
// for all partitions, sends to different partitions led by the same broker queued behind each
// other, so a batch spanning the topic's partitions took several acknowledgements in a row. A
// producer per partition has its own connections and its own producer id (sequences are per
// producer id and partition), so different partitions' sends overlap and none shares a sequence.
//
// Why generations: after a failed send kafkajs's sequence for that partition no longer matches
// the broker's, and every later send there fails with OUT_OF_ORDER_SEQUENCE_NUMBER. That
// partition's producer is then retired — its next send starts a new one (a new producer id
// starts over) — and disconnected; the other partitions' producers are not touched.

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
  /** The live producer of each partition ("topic\0partition"). */
  const current = new Map<string, Generation>();
  const start = (partitionKey: string): Generation => {
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
    generation.producer.catch(() => retire(partitionKey, generation)); // the next send connects afresh
    current.set(partitionKey, generation);
    return generation;
  };
  const retire = (partitionKey: string, generation: Generation) => {
    generation.retired = true;
    if (current.get(partitionKey) === generation) current.delete(partitionKey);
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

  const sendNow = async (
    partitionKey: string,
    topic: string,
    partition: number,
    batch: readonly BusMessage[],
  ) => {
    const generation = current.get(partitionKey) ?? start(partitionKey);
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
      retire(partitionKey, generation);
      throw err;
    } finally {
      generation.inFlight--;
      if (generation.retired && generation.inFlight === 0) void disconnect(generation);
    }
  };

  return {
    send: (topic, partition, batch) => {
      const partitionKey = `${topic}\u0000${partition}`;
      return serially(partitionKey, () => sendNow(partitionKey, topic, partition, batch));
    },
    async close() {
      await Promise.allSettled(queues.values());
      const last = [...current.values()];
      current.clear();
      await Promise.all(last.map(disconnect));
    },
  };
}
