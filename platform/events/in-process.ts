// The in-process event bus for embedded mode and tests: partitioned logs in memory with the
// same guarantees as Kafka for one process (see bus.ts): a key maps to one partition, each
// partition is handled in order, one message at a time, and a group's offset moves only after
// the handler resolved. Nothing survives a restart: the outbox in Postgres does, and the relay
// publishes again whatever it had not been acknowledged for.

import type { Logger } from "../observability/logger.ts";
import {
  type BusMessage,
  type Delivery,
  type EventBus,
  handleUntilDone,
  type SubscribeOptions,
} from "./bus.ts";

interface Partition {
  readonly log: BusMessage[];
  /** Resolvers of consumers waiting for the next message. */
  waiters: (() => void)[];
}

export function inProcessBus(logger: Logger, partitionCount = 6): EventBus {
  const topics = new Map<string, Partition[]>();
  const groups = new Set<string>();
  /** Committed offsets by topic + group: a group that subscribes again resumes where it was. */
  const offsets = new Map<string, number[]>();
  const partitionsOf = (topic: string) => {
    let partitions = topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: partitionCount }, () => ({ log: [], waiters: [] }));
      topics.set(topic, partitions);
    }
    return partitions;
  };

  return {
    async publish(topic, messages, signal) {
      signal.throwIfAborted();
      const partitions = partitionsOf(topic);
      for (const message of messages) {
        const partition = partitions[partitionOf(message.key, partitionCount)] as Partition;
        partition.log.push(message);
        for (const wake of partition.waiters.splice(0)) wake();
      }
    },

    async subscribe({ topic, group, handler }: SubscribeOptions) {
      const id = `${topic}\u0000${group}`;
      if (groups.has(id)) throw new Error(`group ${group} already consumes ${topic} in this process`);
      groups.add(id);
      const stopping = new AbortController();
      const committed = offsets.get(id) ?? Array.from({ length: partitionCount }, () => 0);
      offsets.set(id, committed);
      const loops = partitionsOf(topic).map(async (partition, index) => {
        while (!stopping.signal.aborted) {
          const offset = committed[index] ?? 0;
          const message = partition.log[offset];
          if (!message) {
            await new Promise<void>((resolve) => {
              partition.waiters.push(resolve);
              stopping.signal.addEventListener("abort", () => resolve(), { once: true });
            });
            continue;
          }
          const delivery: Delivery = { ...message, topic, partition: index, offset: String(offset) };
          try {
            await handleUntilDone(handler, delivery, stopping.signal, logger);
            committed[index] = offset + 1;
          } catch {
            // Only a stop ends handleUntilDone early; the loop condition ends the partition.
          }
        }
      });
      return {
        stop: async () => {
          stopping.abort(new Error("subscription stopped"));
          await Promise.all(loops);
          groups.delete(id);
        },
      };
    },

    async ping() {},
    async close() {},
  };
}

/** FNV-1a over the key's UTF-16 code units: stable, and spreads order ids evenly. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
