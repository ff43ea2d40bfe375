// The Kafka adapter of the event-bus port, over kafkajs 2.2.4. kafkajs is no longer maintained;
// it stays behind bus.ts so that replacing it touches this file only.
//
// Producer: idempotent (the broker drops a retried duplicate within one producer session), one
// request in flight (so retries cannot reorder a partition), acks = -1 (every in-sync replica;
// with min.insync.replicas=2 a write survives the loss of one broker). Keys are partitioned with
// the Java client's murmur2, so other clients agree on where an order's events live.
// Consumer: one group member per process; messages of a partition reach the handler in order.
// An offset is committed only after the handler resolved for every message before it, every
// COMMIT_INTERVAL_MS, off the fetch path: kafkajs's own auto-commit would wait for a replicated
// offset write after every fetched batch before fetching again, which is latency every event
// pays. A crash (or a rebalance) redelivers at most the uncommitted tail — consumers deduplicate.

import { type Admin, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "../observability/logger.ts";
import { sleep } from "../rpc/context.ts";
import { type BusMessage, type EventBus, handleUntilDone, type SubscribeOptions } from "./bus.ts";

const COMMIT_INTERVAL_MS = 200;
const DISCONNECT_WAIT_MS = 2_000;

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** How long the broker may wait for in-sync replicas before failing a send. */
  readonly ackTimeoutMs?: number;
}

export function kafkaBus(options: KafkaBusOptions): EventBus {
  const { logger } = options;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const fields = { kafka: entry.namespace, ...extra };
      if (entry.level <= logLevel.ERROR) logger.warn(fields, `kafka: ${message}`);
      else logger.debug(fields, `kafka: ${message}`);
    },
  });

  let producer: Promise<Producer> | undefined;
  const connectProducer = () => {
    producer ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      producer = undefined; // the next publish connects afresh
      throw err;
    });
    return producer;
  };

  let admin: Promise<Admin> | undefined;
  const connectAdmin = () => {
    admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((err: unknown) => {
      admin = undefined;
      throw err;
    });
    return admin;
  };

  const members: (() => Promise<void>)[] = [];

  return {
    async publish(topic: string, messages: readonly BusMessage[], signal: AbortSignal) {
      signal.throwIfAborted();
      if (messages.length === 0) return;
      const p = await abortable(connectProducer(), signal);
      try {
        await abortable(
          p.send({
            topic,
            acks: -1,
            timeout: options.ackTimeoutMs ?? 10_000,
            messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
          }),
          signal,
        );
      } catch (err) {
        // After a send that failed past kafkajs's retries, its idempotent sequence numbers no
        // longer match the broker's, and every later send to those partitions fails with
        // OUT_OF_ORDER_SEQUENCE_NUMBER. A fresh producer gets a new producer id and starts over;
        // the caller resends the batch (consumers deduplicate what had landed).
        if (producer !== undefined && (await producer.catch(() => undefined)) === p) producer = undefined;
        // Bounded: a producer that stopped answering may not answer its disconnect either.
        await Promise.race([p.disconnect().catch(() => {}), sleep(DISCONNECT_WAIT_MS)]);
        throw err;
      }
    },

    async subscribe({ topic, group, handler }: SubscribeOptions) {
      const consumer = kafka.consumer({
        groupId: group,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
      });
      const stopping = new AbortController();
      /** Per partition, the next offset to commit: everything before it was handled. */
      const handled = new Map<number, string>();
      const commitHandled = async () => {
        if (handled.size === 0) return;
        const offsets = [...handled].map(([partition, offset]) => ({ topic, partition, offset }));
        handled.clear();
        try {
          await consumer.commitOffsets(offsets);
        } catch (err) {
          // Not fatal: those messages come again and are recognised as duplicates.
          logger.warn({ err, topic }, "kafka: committing offsets failed");
        }
      };
      // Diagnostics (issue #10): where each partition's delivery starts after a join, and any gap.
      const lastDelivered = new Map<number, bigint>();
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        lastDelivered.clear();
        logger.info(
          { generation: payload.groupProtocol, memberId: payload.memberId, assignment: payload.memberAssignment },
          "kafka: joined the group",
        );
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        logger.warn({ err: payload.error, restart: payload.restart }, "kafka: consumer crashed");
      });
      consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
        logger.info({ generation: payload.groupGenerationId, topics: payload.topics }, "kafka: committed");
      });
      consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
        logger.info(
          { partition: payload.partition, first: payload.firstOffset, last: payload.lastOffset, size: payload.batchSize, hw: payload.highWatermark },
          "kafka: batch",
        );
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        // Partitions are independent: handle each one's messages in order, several at once.
        partitionsConsumedConcurrently: 6,
        eachMessage: async ({ partition, message, heartbeat }) => {
          const delivery = {
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? "",
            value: message.value?.toString() ?? "",
            headers: textHeaders(message.headers),
          };
          const offset = BigInt(message.offset);
          const previous = lastDelivered.get(partition);
          if (previous === undefined) logger.info({ partition, offset: message.offset }, "kafka: partition starts");
          else if (offset !== previous + 1n)
            logger.warn({ partition, offset: message.offset, previous: String(previous) }, "kafka: offset gap");
          lastDelivered.set(partition, offset);
          await handleUntilDone(handler, delivery, stopping.signal, logger, heartbeat);
          handled.set(partition, (BigInt(message.offset) + 1n).toString());
        },
      });
      const committer = (async () => {
        while (!stopping.signal.aborted) {
          await sleep(COMMIT_INTERVAL_MS, stopping.signal).catch(() => {});
          await commitHandled();
        }
      })();
      const stop = async () => {
        stopping.abort(new Error("subscription stopped"));
        await committer; // its last pass commits what was handled, while still a group member
        await consumer.disconnect();
      };
      members.push(stop);
      return { stop };
    },

    async ping(signal: AbortSignal) {
      const a = await abortable(connectAdmin(), signal);
      const cluster = await abortable(a.describeCluster(), signal);
      if (cluster.brokers.length === 0) throw new Error("kafka: no brokers in the cluster metadata");
    },

    async close() {
      await Promise.allSettled(members.splice(0).map((stop) => stop()));
      await Promise.allSettled([producer?.then((p) => p.disconnect()), admin?.then((a) => a.disconnect())]);
    },
  };
}

function textHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = String(Array.isArray(value) ? value[0] : value);
  }
  return out;
}

/** kafkajs calls cannot be cancelled; the caller stops waiting when its signal aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
