// The consuming half of the Kafka adapter: one group member per subscription; messages of a
// partition reach the handler in order, several partitions at once.
//
// Offsets: committed only after the handler resolved for every message before them, every
// COMMIT_INTERVAL_MS, off the fetch path (kafkajs's auto-commit would wait for a replicated
// offset write after every fetched batch before fetching again, which is latency every event
// pays). A crash or a rebalance redelivers at most the uncommitted tail — consumers deduplicate.
// Only partitions this member owns are committed: the bookkeeping of a partition is dropped when
// a rebalance takes it away (and nothing is committed while the group rebalances), so a member
// never writes an old offset over the new owner's progress.
// Health: kafkajs restarts a consumer after a retriable crash; after any other it stays down.
// `healthy()` then rejects, so /readyz turns red instead of the process idling with no consumer.

import type { Consumer, Kafka } from "kafkajs";
import type { Logger } from "../observability/logger.ts";
import { sleep } from "../rpc/context.ts";
import { type Delivery, handleUntilDone, type SubscribeOptions, type Subscription } from "./bus.ts";

const COMMIT_INTERVAL_MS = 200;

export interface KafkaSubscription extends Subscription {
  /** Rejects once the consumer crashed for good. */
  healthy(): void;
}

export async function kafkaSubscribe(
  kafka: Kafka,
  logger: Logger,
  { topic, group, handler }: SubscribeOptions,
): Promise<KafkaSubscription> {
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const stopping = new AbortController();
  const state = { owned: new Set<number>(), rebalancing: true, dead: undefined as Error | undefined };
  /** Per owned partition, the next offset to commit: everything before it was handled. */
  const handled = new Map<number, string>();
  const commitHandled = async () => {
    if (handled.size === 0 || state.rebalancing) return;
    const batch = [...handled];
    try {
      await consumer.commitOffsets(batch.map(([partition, offset]) => ({ topic, partition, offset })));
      // Keep what moved on meanwhile; drop what was committed.
      for (const [partition, offset] of batch)
        if (handled.get(partition) === offset) handled.delete(partition);
    } catch (err) {
      // Not fatal: retried next interval (or dropped if the partition goes), else redelivered.
      logger.warn({ err, topic }, "kafka: committing offsets failed");
    }
  };
  observe(consumer, logger, state, handled, topic);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const lastDelivered = new Map<number, bigint>();
  consumer.on(consumer.events.GROUP_JOIN, () => lastDelivered.clear());
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ partition, message, heartbeat }) => {
      const delivery: Delivery = {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? "",
        value: message.value?.toString() ?? "",
        headers: textHeaders(message.headers),
      };
      const offset = BigInt(message.offset);
      const previous = lastDelivered.get(partition);
      if (previous !== undefined && offset !== previous + 1n)
        logger.warn({ partition, offset: message.offset, previous: String(previous) }, "kafka: offset gap");
      lastDelivered.set(partition, offset);
      await handleUntilDone(handler, delivery, stopping.signal, logger, heartbeat);
      // A partition taken away while its message was in hand is the new owner's to commit.
      if (state.owned.has(partition)) handled.set(partition, (offset + 1n).toString());
    },
  });
  const committer = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(COMMIT_INTERVAL_MS, stopping.signal).catch(() => {});
      await commitHandled();
    }
  })();
  return {
    stop: async () => {
      stopping.abort(new Error("subscription stopped"));
      await committer; // its last pass commits what was handled, while still a group member
      await consumer.disconnect();
    },
    healthy: () => {
      if (state.dead)
        throw new Error(`kafka: consumer of ${topic} (group ${group}) crashed and will not restart`, {
          cause: state.dead,
        });
    },
  };
}

/** Group membership → what this member owns; crashes; diagnostics in the log. */
function observe(
  consumer: Consumer,
  logger: Logger,
  state: { owned: Set<number>; rebalancing: boolean; dead: Error | undefined },
  handled: Map<number, string>,
  topic: string,
) {
  consumer.on(consumer.events.REBALANCING, () => {
    state.rebalancing = true;
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    state.owned = new Set(payload.memberAssignment[topic] ?? []);
    for (const partition of handled.keys()) if (!state.owned.has(partition)) handled.delete(partition);
    state.rebalancing = false;
    logger.info(
      { memberId: payload.memberId, assignment: payload.memberAssignment },
      "kafka: joined the group",
    );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.warn({ err: payload.error, restart: payload.restart }, "kafka: consumer crashed");
    if (!payload.restart) {
      state.dead = payload.error;
      logger.error({ err: payload.error }, "kafka: the consumer will not restart; readiness fails");
    } else {
      state.rebalancing = true; // it rejoins; until then nothing is owned for sure
    }
  });
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    logger.debug({ generation: payload.groupGenerationId, topics: payload.topics }, "kafka: committed");
  });
}

function textHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = String(Array.isArray(value) ? value[0] : value);
  }
  return out;
}
