// The Kafka adapter of the event-bus port, over kafkajs 2.2.4. kafkajs is no longer maintained;
// it stays behind bus.ts so that replacing it touches these files only:
//   kafka.ts               the client, topic metadata, health, wiring
//   kafka-producer.ts      publishing: one send per partition, failures per partition
//   kafka-sender.ts        the idempotent producer: each partition's sends one at a time
//   kafka-consumer.ts      subscriptions: ordered handling, commits of owned partitions only
//   kafka-partitioning.ts  where a key's messages go (the Java client's murmur2)

import { type Admin, Kafka, logLevel } from "kafkajs";
import type { Logger } from "../observability/logger.ts";
import { abortable } from "./abortable.ts";
import type { EventBus, SubscribeOptions } from "./bus.ts";
import { type KafkaSubscription, kafkaSubscribe } from "./kafka-consumer.ts";
import { kafkaPublisher } from "./kafka-producer.ts";

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

  const publisher = kafkaPublisher(kafka, logger, partitionCount, options.ackTimeoutMs ?? 10_000);
  const members = new Set<KafkaSubscription>();

  return {
    publish: publisher.publish,

    async subscribe(subscription: SubscribeOptions) {
      const member = await kafkaSubscribe(kafka, logger, subscription);
      members.add(member);
      return {
        stop: async () => {
          members.delete(member);
          await member.stop();
        },
      };
    },

    async ping(signal: AbortSignal) {
      for (const member of members) member.healthy();
      const a = await abortable(connectAdmin(), signal);
      const cluster = await abortable(a.describeCluster(), signal);
      if (cluster.brokers.length === 0) throw new Error("kafka: no brokers in the cluster metadata");
    },

    async close() {
      await Promise.allSettled([...members].map((member) => member.stop()));
      members.clear();
      await Promise.allSettled([publisher.close(), admin?.then((a) => a.disconnect())]);
    },
  };
}
