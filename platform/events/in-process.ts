// The in-process event bus for embedded mode and tests: partitioned logs in memory with the
// same guarantees as Kafka for one process (see bus.ts): a key maps to one partition, each
// partition is handled in order, one message at a time, and a group's offset moves only after
// the handler resolved.
//
// Acknowledgement. Kafka acknowledges a message once it is durable in the broker's log. This
// log is memory and dies with the process, so a message here is durable only once every group
// has committed it (its handler's own transaction holds the result). publish therefore resolves
// only when every known group committed every message of the batch; until then the outbox keeps
// the events pending, and after a stop or crash the relay publishes them again. Decisions:
// - A group is known from its first subscribe for the bus's lifetime, also while stopped (as
//   Kafka keeps a group's offsets): its lag holds acknowledgements back.
// - With no known group, nothing is acknowledged: nobody has taken the messages yet. publish
//   waits (until its signal aborts). Embedded mode subscribes notifications before LOMS starts.
// - A slow consumer makes the relay's publish time out (publishTimeoutMs) and retry. A resend of
//   a message still in the log (same key and value: events carry a unique id) joins it instead
//   of appending a copy, as Kafka's idempotent producer drops a retried duplicate. So a retry
//   waits for the same messages, the consumer keeps making progress, and the relay gets its
//   acknowledgement as soon as the backlog is handled: a slow consumer delays, never wedges.
// - What every known group committed is trimmed from memory.

import type { Logger } from "../observability/logger.ts";
import {
  type BusMessage,
  type Delivery,
  type EventBus,
  handleUntilDone,
  PublishError,
  type SubscribeOptions,
} from "./bus.ts";

/** Trim in chunks: splicing an array's head costs its length, so not after every commit. */
const TRIM_CHUNK = 1_024;

interface Partition {
  /** The retained log: log[i] has offset base + i. */
  readonly log: BusMessage[];
  base: number;
  /** Resolvers of consumers waiting for the next message. */
  waiters: (() => void)[];
  /** Publishers waiting for every group to commit `offset`; offsets ascend. */
  acks: { offset: number; resolve: () => void }[];
}

interface Topic {
  readonly partitions: Partition[];
  /** Committed offsets of every group that ever subscribed, by group. */
  readonly groups: Map<string, number[]>;
  /** Messages in the log by identity, so that a resend joins its original. */
  readonly inLog: Map<string, { partition: number; offset: number }>;
}

export interface InProcessBus extends EventBus {
  /** Messages held in memory for `topic` (not yet committed by every known group). */
  retained(topic: string): number;
}

export function inProcessBus(logger: Logger, partitionCount = 6): InProcessBus {
  const topics = new Map<string, Topic>();
  const active = new Set<string>();
  const topicOf = (name: string) => {
    let topic = topics.get(name);
    if (!topic) {
      const partitions = Array.from({ length: partitionCount }, () => ({
        log: [],
        base: 0,
        waiters: [],
        acks: [],
      }));
      topic = { partitions, groups: new Map(), inLog: new Map() };
      topics.set(name, topic);
    }
    return topic;
  };

  return {
    async publish(name, messages, signal) {
      signal.throwIfAborted();
      const topic = topicOf(name);
      const last = new Map<number, number>(); // partition → highest offset of this batch
      const placed: { partition: number; offset: number }[] = [];
      for (const message of messages) {
        const identity = identityOf(message);
        let at = topic.inLog.get(identity);
        if (!at) {
          const index = partitionOf(message.key, partitionCount);
          const partition = topic.partitions[index] as Partition;
          at = { partition: index, offset: partition.base + partition.log.length };
          partition.log.push(message);
          topic.inLog.set(identity, at);
          for (const wake of partition.waiters.splice(0)) wake();
        }
        last.set(at.partition, Math.max(last.get(at.partition) ?? -1, at.offset));
        placed.push(at);
      }
      try {
        await untilAcknowledged(topic, last, signal);
      } catch (err) {
        // What every group committed by now is acknowledged: the caller need not send it again.
        const acknowledged = new Set<number>();
        placed.forEach((at, i) => {
          if (at.offset < acknowledgedOffset(topic, at.partition)) acknowledged.add(i);
        });
        throw new PublishError(`in-process bus: not acknowledged in time (${String(err)})`, acknowledged, {
          cause: err,
        });
      }
    },

    async subscribe({ topic: name, group, handler }: SubscribeOptions) {
      const id = `${name}\u0000${group}`;
      if (active.has(id)) throw new Error(`group ${group} already consumes ${name} in this process`);
      active.add(id);
      const topic = topicOf(name);
      const stopping = new AbortController();
      let committed = topic.groups.get(group);
      if (!committed) {
        committed = topic.partitions.map((p) => p.base); // a new group starts at what is retained
        topic.groups.set(group, committed);
      }
      const offsets = committed;
      const loops = topic.partitions.map(async (partition, index) => {
        while (!stopping.signal.aborted) {
          const offset = offsets[index] ?? 0;
          const message = partition.log[offset - partition.base];
          if (!message) {
            await new Promise<void>((resolve) => {
              partition.waiters.push(resolve);
              stopping.signal.addEventListener("abort", () => resolve(), { once: true });
            });
            continue;
          }
          const delivery: Delivery = { ...message, topic: name, partition: index, offset: String(offset) };
          try {
            await handleUntilDone(handler, delivery, stopping.signal, logger);
            offsets[index] = offset + 1;
            settle(topic, index);
          } catch {
            // Only a stop ends handleUntilDone early; the loop condition ends the partition.
          }
        }
      });
      return {
        stop: async () => {
          stopping.abort(new Error("subscription stopped"));
          await Promise.all(loops);
          active.delete(id);
        },
      };
    },

    async ping() {},
    async close() {},
    retained: (name) => topics.get(name)?.partitions.reduce((n, p) => n + p.log.length, 0) ?? 0,
  };
}

/** Resolves once every known group committed each partition's offset in `last`. */
function untilAcknowledged(topic: Topic, last: Map<number, number>, signal: AbortSignal): Promise<void> {
  const waits: { partition: Partition; entry: { offset: number; resolve: () => void } }[] = [];
  const all = Promise.all(
    [...last].map(
      ([index, offset]) =>
        new Promise<void>((resolve) => {
          const partition = topic.partitions[index] as Partition;
          const entry = { offset, resolve };
          waits.push({ partition, entry });
          const at = partition.acks.findIndex((a) => a.offset > offset);
          partition.acks.splice(at === -1 ? partition.acks.length : at, 0, entry);
          settle(topic, index);
        }),
    ),
  );
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      // Stop waiting; the messages stay in the log and a resend joins them.
      for (const { partition, entry } of waits) {
        const i = partition.acks.indexOf(entry);
        if (i !== -1) partition.acks.splice(i, 1);
      }
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    all.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

/** After a commit (or a new wait): resolves acknowledged publishes, trims what all committed. */
/** Offsets below this every known group committed; none without a group. */
function acknowledgedOffset(topic: Topic, index: number): number {
  if (topic.groups.size === 0) return Number.NEGATIVE_INFINITY;
  let acknowledged = Number.POSITIVE_INFINITY;
  for (const offsets of topic.groups.values()) acknowledged = Math.min(acknowledged, offsets[index] ?? 0);
  return acknowledged;
}

function settle(topic: Topic, index: number): void {
  const partition = topic.partitions[index] as Partition;
  if (topic.groups.size === 0) return; // no group: nothing is acknowledged
  const acknowledged = acknowledgedOffset(topic, index);
  while (partition.acks.length > 0 && (partition.acks[0]?.offset ?? 0) < acknowledged) {
    partition.acks.shift()?.resolve();
  }
  const trimmable = acknowledged - partition.base;
  if (trimmable > 0 && (trimmable >= TRIM_CHUNK || trimmable === partition.log.length)) {
    const trimmed = partition.log.splice(0, trimmable);
    trimmed.forEach((message, i) => {
      const identity = identityOf(message);
      if (topic.inLog.get(identity)?.offset === partition.base + i) topic.inLog.delete(identity);
    });
    partition.base += trimmable;
  }
}

const identityOf = (message: BusMessage) => `${message.key}\u0000${message.value}`;

/** FNV-1a over the key's UTF-16 code units: stable, and spreads order ids evenly. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
