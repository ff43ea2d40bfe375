// The publishing half of the Kafka adapter: one idempotent producer (the broker drops a retried
// duplicate within one producer session), one request in flight (so retries cannot reorder a
// partition), acks = -1 (every in-sync replica; with min.insync.replicas=2 a write survives the
// loss of one broker).
//
// Decisions, each against a failure seen or reported:
// - One send per partition, so that each send has exactly one leader. kafkajs 2.2.4 keeps one
//   response per BROKER across the retries of a send: when a partition's leader dies and its
//   partitions move to a broker that already answered for others, the retry skips them and the
//   send resolves although those messages were never written (tulios/kafkajs#1303, PR #1798).
//   Our broker-kill test lost acknowledged events exactly so.
// - Sends are serialised: one at a time through the producer, across all publishes. kafkajs
//   tracks an idempotent producer's sequence numbers per partition without coordinating
//   concurrent sends, and concurrent sends through one idempotent producer fail or are dropped
//   (tulios/kafkajs#353, #1005).
// - A failing partition fails alone. The other partitions' sends go on and are reported as
//   acknowledged (PublishError.acknowledged), so the caller neither re-sends them nor waits on
//   the broken one. A partition whose send failed is skipped (failed at once) for
//   PARTITION_COOLDOWN_MS, so that a partition that keeps failing — e.g. too few in-sync
//   replicas — does not cost every publish kafkajs's full retry time.
// - After a failed send, kafkajs's sequence numbers for that partition no longer match the
//   broker's, and every later send there fails with OUT_OF_ORDER_SEQUENCE_NUMBER: the producer is
//   replaced (a new producer id starts over) before the next send.

import { type Kafka, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "../observability/logger.ts";
import { sleep } from "../rpc/context.ts";
import { abortable } from "./abortable.ts";
import { type BusMessage, PublishError } from "./bus.ts";
import { byPartition } from "./kafka-partitioning.ts";

const DISCONNECT_WAIT_MS = 2_000;
const PARTITION_COOLDOWN_MS = 5_000;

export interface KafkaPublisher {
  publish(topic: string, messages: readonly BusMessage[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export function kafkaPublisher(
  kafka: Kafka,
  logger: Logger,
  partitionCount: (topic: string) => Promise<number>,
  ackTimeoutMs: number,
): KafkaPublisher {
  let producer: Promise<Producer> | undefined;
  const connect = () => {
    producer ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner, // unused (sends name their partition); silences kafkajs's warning
        allowAutoTopicCreation: false,
      });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      producer = undefined; // the next send connects afresh
      throw err;
    });
    return producer;
  };
  /** Replaces the producer; runs in the queue, so no send is in flight on it. */
  const replace = async () => {
    const current = await producer?.catch(() => undefined);
    producer = undefined;
    // Bounded: a producer that stopped answering may not answer its disconnect either.
    if (current) await Promise.race([current.disconnect().catch(() => {}), sleep(DISCONNECT_WAIT_MS)]);
  };

  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => {});
    return run;
  };

  const sendPartition = async (topic: string, partition: number, batch: readonly BusMessage[]) => {
    const p = await connect();
    try {
      const acks = await p.send({
        topic,
        acks: -1,
        timeout: ackTimeoutMs,
        messages: batch.map((m) => ({ partition, key: m.key, value: m.value, headers: { ...m.headers } })),
      });
      // Belt and braces: resolve only on an acknowledgement for this very partition.
      if (!acks.some((a) => a.partition === partition && a.errorCode === 0))
        throw new Error(`kafka: send to ${topic}[${partition}] resolved without its acknowledgement`);
    } catch (err) {
      await replace();
      throw err;
    }
  };

  const coolingUntil = new Map<string, number>();
  /** Sends one partition's share of a batch; returns why it failed, or undefined once acknowledged. */
  const trySend = async (
    topic: string,
    partition: number,
    batch: BusMessage[],
    signal: AbortSignal,
  ): Promise<Error | undefined> => {
    const name = `${topic}[${partition}]`;
    if ((coolingUntil.get(name) ?? 0) > Date.now()) {
      return new Error(`${name}: failed less than ${PARTITION_COOLDOWN_MS} ms ago, not tried`);
    }
    try {
      await abortable(
        serially(() => sendPartition(topic, partition, batch)),
        signal,
      );
      coolingUntil.delete(name);
      return undefined;
    } catch (err) {
      if (signal.aborted) return new Error(`${name}: aborted`, { cause: err }); // may still land: resent later
      coolingUntil.set(name, Date.now() + PARTITION_COOLDOWN_MS);
      logger.warn({ err, topic, partition }, "kafka: send to a partition failed; the others go on");
      return new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };

  return {
    async publish(topic, messages, signal) {
      signal.throwIfAborted();
      if (messages.length === 0) return;
      const partitions = await abortable(partitionCount(topic), signal);
      const acknowledged = new Set<number>();
      const failures: Error[] = [];
      for (const [partition, indexes] of byPartition(messages, partitions)) {
        const failure = await trySend(
          topic,
          partition,
          indexes.map((i) => messages[i] as BusMessage),
          signal,
        );
        if (failure) failures.push(failure);
        else addAll(acknowledged, indexes);
      }
      if (acknowledged.size === messages.length) return;
      throw publishError(acknowledged, failures, signal);
    },

    async close() {
      await serially(async () => (await producer?.catch(() => undefined))?.disconnect());
    },
  };
}

function publishError(acknowledged: ReadonlySet<number>, failures: readonly Error[], signal: AbortSignal) {
  if (signal.aborted) {
    return new PublishError(`kafka: publish aborted: ${String(signal.reason)}`, acknowledged, {
      cause: signal.reason,
    });
  }
  return new PublishError(`kafka: ${failures.map((f) => f.message).join("; ")}`, acknowledged, {
    cause: failures[0],
  });
}

function addAll(set: Set<number>, values: readonly number[]): void {
  for (const value of values) set.add(value);
}
