// The publishing half of the Kafka adapter: idempotent producers (the broker drops a retried
// duplicate within one producer session), acks = -1 (every in-sync replica; with
// min.insync.replicas=2 a write survives the loss of one broker).
//
// Decisions, each against a failure seen or reported:
// - One send per partition, so that each send has exactly one leader. kafkajs 2.2.4 keeps one
//   response per BROKER across the retries of a send: when a partition's leader dies and its
//   partitions move to a broker that already answered for others, the retry skips them and the
//   send resolves although those messages were never written (tulios/kafkajs#1303, PR #1798).
//   Our broker-kill test lost acknowledged events exactly so.
// - A partition's sends are serialised across all publishes; different partitions go at once
//   (kafka-sender.ts says why).
// - A failing partition fails alone. The other partitions' sends complete and are reported as
//   acknowledged (PublishError.acknowledged), so the caller neither re-sends them nor waits on
//   the broken one. A partition whose send failed is skipped (failed at once) for
//   PARTITION_COOLDOWN_MS, so that a partition that keeps failing — e.g. too few in-sync
//   replicas — does not cost every publish kafkajs's full retry time.

import type { Kafka } from "kafkajs";
import type { Logger } from "../observability/logger.ts";
import { abortable } from "./abortable.ts";
import { type BusMessage, PublishError } from "./bus.ts";
import { byPartition } from "./kafka-partitioning.ts";
import { partitionSender } from "./kafka-sender.ts";

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
  const sender = partitionSender(kafka, ackTimeoutMs);
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
      await abortable(sender.send(topic, partition, batch), signal);
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
      const outcomes = await Promise.all(
        [...byPartition(messages, partitions)].map(async ([partition, indexes]) => ({
          indexes,
          failure: await trySend(
            topic,
            partition,
            indexes.map((i) => messages[i] as BusMessage),
            signal,
          ),
        })),
      );
      const failures = outcomes.flatMap((o) => (o.failure ? [o.failure] : []));
      if (failures.length === 0) return;
      const acknowledged = new Set(outcomes.flatMap((o) => (o.failure ? [] : o.indexes)));
      throw publishError(acknowledged, failures, signal);
    },
    close: () => sender.close(),
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
