// The event-bus port: what services need from a message broker, and nothing of any client
// library. Two adapters implement it: Kafka (kafka.ts, the stack) and an in-process bus
// (in-process.ts, embedded mode and tests). Swapping the Kafka client touches kafka.ts only.
//
// Guarantees every adapter gives:
// - publish resolves only once the broker acknowledged every message of the batch. When it
//   rejects, the error's `acknowledged` (see acknowledgedOf) names the messages the broker did
//   acknowledge: the caller marks those done and resends only the rest — so a retry does not
//   re-send partitions already written, and one failing partition does not hold back the
//   others. Of the rest, any subset may have been written (consumers deduplicate, see
//   notifications/).
// - one key's messages land in one partition and are delivered in publish order;
// - a subscription hands a partition's messages to the handler one at a time; the offset is
//   committed only after the handler resolved. A handler that throws gets the same message
//   again (after a back-off) — never the next one — until it succeeds or the subscription stops.
//   So a handler throws only for what may pass on a retry; a message that can never succeed is
//   the handler's to set aside (notifications stores it as poison), or it stops its partition.

import type { Logger } from "../observability/logger.ts";
import { sleep } from "../rpc/context.ts";

export interface BusMessage {
  /** Partitioning key: one key's messages stay in order. */
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Delivery extends BusMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type DeliveryHandler = (delivery: Delivery, signal: AbortSignal) => Promise<void>;

export interface SubscribeOptions {
  readonly topic: string;
  /** Consumer group: the group's members split the partitions between them. */
  readonly group: string;
  readonly handler: DeliveryHandler;
}

export interface Subscription {
  /** Stops fetching, lets the message in hand finish (or abort), commits, leaves the group. */
  stop(): Promise<void>;
}

export interface EventBus {
  /**
   * Resolves once the broker acknowledged every message. Rejects as soon as `signal` aborts, even
   * when the client underneath cannot cancel its send (the caller may then resend: consumers
   * deduplicate).
   */
  publish(topic: string, messages: readonly BusMessage[], signal: AbortSignal): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Rejects while the broker cannot be reached (for /readyz). */
  ping(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A publish that failed for part of its batch. */
export class PublishError extends Error {
  constructor(
    message: string,
    /** Indexes into the published batch of the messages the broker acknowledged. */
    readonly acknowledged: ReadonlySet<number>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PublishError";
  }
}

/** The messages a failed publish still got acknowledged (none, unless it says so). */
export function acknowledgedOf(err: unknown): ReadonlySet<number> {
  return err instanceof PublishError ? err.acknowledged : new Set();
}

export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

const HANDLER_RETRY: RetryPolicy = { initialMs: 100, maxMs: 5_000 };

/**
 * Runs the handler until it succeeds, backing off between failures; rejects only when `signal`
 * aborts (the message then stays uncommitted and is redelivered). `beat` keeps group membership
 * alive during long retries.
 */
export async function handleUntilDone(
  handler: DeliveryHandler,
  delivery: Delivery,
  signal: AbortSignal,
  logger: Logger,
  beat: () => Promise<void> = async () => {},
  policy: RetryPolicy = HANDLER_RETRY,
): Promise<void> {
  let delay = policy.initialMs;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await handler(delivery, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      logger.warn(
        { err, topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, attempt },
        "event handler failed; retrying the same message",
      );
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, policy.maxMs);
    await beat();
  }
}
