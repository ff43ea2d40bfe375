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

  // A topic's partition count, read once: the key → partition mapping depends on it (topics here
  // never grow; growing one would remap keys for every client anyway).
  const partitionCounts = new Map<string, Promise<number>>();
  const partitionCount = (topic: string) => {
    let count = partitionCounts.get(topic);
    if (count === undefined) {
      count = connectAdmin()
        .then((a) => a.fetchTopicMetadata({ topics: [topic] }))
        .then(({ topics }) => {
          const n = topics[0]?.partitions.length ?? 0;
          if (n === 0) throw new Error(`kafka: topic ${topic} has no partitions`);
          return n;
        });
      count.catch(() => partitionCounts.delete(topic)); // ask again next time
      partitionCounts.set(topic, count);
    }
    return count;
  };

  const members: (() => Promise<void>)[] = [];

  return {
    async publish(topic: string, messages: readonly BusMessage[], signal: AbortSignal) {
      signal.throwIfAborted();
      if (messages.length === 0) return;
      const partitions = await abortable(partitionCount(topic), signal);
      const p = await abortable(connectProducer(), signal);
      try {
        // One send per partition, so that each send has exactly one leader. kafkajs 2.2.4 keeps
        // one response per BROKER across the retries of a send: when a partition's leader dies
        // and its partitions move to a broker that already answered for others, the retry skips
        // them and the send resolves although those messages were never written (tulios/kafkajs
        // #1303, PR #1798). Our broker-kill test lost acknowledged events exactly so.
        await abortable(
          Promise.all(
            [...byPartition(messages, partitions)].map(async ([partition, batch]) => {
              const acks = await p.send({
                topic,
                acks: -1,
                timeout: options.ackTimeoutMs ?? 10_000,
                messages: batch.map((m) => ({
                  partition,
                  key: m.key,
                  value: m.value,
                  headers: { ...m.headers },
                })),
              });
              // Belt and braces: resolve only on an acknowledgement for this very partition.
              if (!acks.some((a) => a.partition === partition && a.errorCode === 0))
                throw new Error(`kafka: send to ${topic}[${partition}] resolved without its acknowledgement`);
            }),
          ),
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
      // Diagnostics: joins, crashes and any gap in a partition's offsets (a skipped message) are
      // logged; batches, commits and where each partition starts after a join at debug level.
      const lastDelivered = new Map<number, bigint>();
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        lastDelivered.clear();
        logger.info(
          { memberId: payload.memberId, assignment: payload.memberAssignment },
          "kafka: joined the group",
        );
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        logger.warn({ err: payload.error, restart: payload.restart }, "kafka: consumer crashed");
      });
      consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
        logger.debug({ generation: payload.groupGenerationId, topics: payload.topics }, "kafka: committed");
      });
      consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
        const { partition, firstOffset, lastOffset, batchSize } = payload;
        logger.debug({ partition, firstOffset, lastOffset, batchSize }, "kafka: batch");
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
          if (previous === undefined)
            logger.debug({ partition, offset: message.offset }, "kafka: partition starts");
          else if (offset !== previous + 1n)
            logger.warn(
              { partition, offset: message.offset, previous: String(previous) },
              "kafka: offset gap",
            );
          lastDelivered.set(partition, offset);
          await handleUntilDone(handler, delivery, stopping.signal, logger, heartbeat);
          handled.set(partition, (offset + 1n).toString());
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

const keyPartitioner = Partitioners.DefaultPartitioner();

/** Groups messages by the partition kafkajs's default (Java-compatible murmur2) partitioner picks. */
function byPartition(messages: readonly BusMessage[], partitions: number): Map<number, BusMessage[]> {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  const groups = new Map<number, BusMessage[]>();
  for (const m of messages) {
    const partition = keyPartitioner({
      topic: "",
      partitionMetadata,
      message: { key: m.key, value: m.value },
    });
    const group = groups.get(partition);
    if (group) group.push(m);
    else groups.set(partition, [m]);
  }
  return groups;
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
