// The outbox relay: publishes committed order events to the bus, in outbox order, at least
// once. One relay is active across all LOMS replicas — the one whose direct session holds the
// relay advisory lock; the others retry the lock and take over within `lockRetryMs` when the
// active one dies (Postgres drops a dead session's lock).
//
// Each pass is one transaction on that session: claim the oldest pending events, publish them
// (the bus resolves only once the broker acknowledged every one), mark them sent. If publishing
// fails, the events stay pending with their attempt count and last error, and the relay backs
// off and retries the SAME head of the outbox: a failed send is "retry later", never "skip",
// which is also what keeps one order's events in order. A retried batch may reach the broker
// twice; consumers deduplicate on the event id. When the broker acknowledged part of a batch
// (one partition failing, the others written), the acknowledged events are marked sent — a
// retry does not send them again — and the refused orders are held back for a back-off while
// the relay goes on with the rest (relay-holdback.ts).
//
// Wake-ups: NOTIFY from the outbox trigger when events commit, and a slow poll as a safety net
// (a lost notification, a listener reconnecting). A full batch means more is waiting: no wait.

import type { Tracer } from "@opentelemetry/api";
import { acknowledgedOf, type EventBus } from "../platform/events/bus.ts";
import { endProducerSpans, startProducerSpan } from "../platform/events/tracing.ts";
import type { Logger } from "../platform/observability/logger.ts";
import { noopTracer } from "../platform/observability/tracing.ts";
import { sleep } from "../platform/rpc/context.ts";
import { encodeBatch, toBusMessage } from "./event-encoding.ts";
import type { OpenOutboxSession, OutboxSession } from "./ports.ts";
import { HeldBackOrders } from "./relay-holdback.ts";
import { Wakeup } from "./relay-wakeup.ts";

export interface RelayOptions {
  readonly topic: string;
  readonly batchSize: number;
  /** Safety-net poll when no notification arrives. */
  readonly pollIntervalMs: number;
  /** How often a standby replica tries to take the relay lock. */
  readonly lockRetryMs: number;
  /**
   * How long one publish may take before the relay gives up on it and retries. A send the client
   * never settles would otherwise stall the relay — and its open transaction — for good. (Added
   * defensively: the CI failure first read as such a stall turned out to be lost consumer-side
   * events, see the broker-kill test; kafkajs has had send hangs reported on Bun.)
   */
  readonly publishTimeoutMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

export type WakeMode = "notify" | "poll" | "drain" | "retry" | "start";

/** What the relay reports; main.ts turns it into Prometheus metrics. */
export interface RelayObserver {
  /** A batch the broker acknowledged, and how long publishing it took. */
  batch(size: number, wokenBy: WakeMode, publishSeconds: number): void;
  failed(): void;
  /** Rows set aside because they cannot be encoded (see event-encoding.ts). */
  parked(count: number): void;
  leading(active: boolean): void;
}

/** What the relay works with, besides its outbox session. */
export interface RelayDeps {
  readonly bus: EventBus;
  readonly options: RelayOptions;
  readonly logger: Logger;
  readonly observer: RelayObserver;
  /** Publish spans continue each event's request trace (absent: spans record nothing). */
  readonly tracer?: Tracer;
}

/** Runs until `signal` aborts: waits for the relay lock, then relays while it holds it. */
export async function runRelay(
  openSession: OpenOutboxSession,
  deps: RelayDeps,
  signal: AbortSignal,
): Promise<void> {
  const { options, logger, observer } = deps;
  while (!signal.aborted) {
    let session: OutboxSession | undefined;
    try {
      session = await openSession();
      while (!(await session.tryLead(signal))) await sleep(options.lockRetryMs, signal);
      logger.info("outbox relay is active on this replica");
      observer.leading(true);
      await relayWhileLeading(session, deps, signal);
    } catch (err) {
      if (signal.aborted) break;
      logger.error({ err }, "outbox relay session lost; reconnecting");
      await sleep(options.lockRetryMs, signal).catch(() => {});
    } finally {
      observer.leading(false);
      await session?.close().catch(() => {});
    }
  }
}

async function relayWhileLeading(
  session: OutboxSession,
  deps: RelayDeps,
  signal: AbortSignal,
): Promise<void> {
  const { options, logger, observer } = deps;
  const wakeup = new Wakeup();
  await session.onNewEvents(() => wakeup.notify());
  let mode: WakeMode = "start";
  let backoff = options.backoffInitialMs;
  const held = new HeldBackOrders(options.backoffInitialMs, options.backoffMaxMs);
  while (!signal.aborted) {
    // Shutdown waits for the batch in flight (publishTimeoutMs bounds it) rather than rolling it
    // back: a batch the broker may already hold would be published again by the next leader, so
    // a rolling restart would duplicate whatever was in flight.
    const outcome = await relayBatch(session, deps, held.excluded(), UNINTERRUPTED);
    if (outcome.error !== undefined) {
      observer.failed();
      held.hold(outcome.refusedOrders ?? []);
      logger.warn(
        { err: outcome.error, events: outcome.size, acknowledged: outcome.sent, backoffMs: backoff },
        "publishing order events failed; they stay pending and will be retried",
      );
      mode = "retry";
      // Part of the batch went through: the broker works, one partition does not. Go on at
      // once with everything else; the refused orders wait out their own back-off.
      if (outcome.sent > 0) {
        observer.batch(outcome.sent, mode, outcome.publishSeconds ?? 0);
        continue;
      }
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, options.backoffMaxMs);
      continue;
    }
    backoff = options.backoffInitialMs;
    held.succeeded();
    if (outcome.size > 0) observer.batch(outcome.size, mode, outcome.publishSeconds ?? 0);
    if (outcome.size === options.batchSize) {
      mode = "drain";
      continue;
    }
    mode = await wakeup.wait(options.pollIntervalMs, signal);
  }
}

const UNINTERRUPTED = new AbortController().signal;

interface BatchOutcome {
  readonly size: number;
  /** Events the broker acknowledged (all of them unless `error`). */
  readonly sent: number;
  readonly publishSeconds?: number;
  readonly error?: unknown;
  /** Orders whose events the broker did not acknowledge. */
  readonly refusedOrders?: readonly number[];
}

function relayBatch(
  session: OutboxSession,
  { bus, options, logger, observer, tracer = noopTracer }: RelayDeps,
  heldOrderIds: readonly number[],
  signal: AbortSignal,
): Promise<BatchOutcome> {
  return session.inTx(signal, async (tx) => {
    const claimed = await tx.claim(options.batchSize, heldOrderIds);
    if (claimed.length === 0) return { size: 0, sent: 0 };
    // A row that cannot be encoded would fail the same way on every retry: parked with its
    // reason rather than retried ahead of every later event (see event-encoding.ts).
    const { ready, unencodable } = encodeBatch(claimed);
    for (const { event, reason } of unencodable) {
      await tx.park(event.id, reason);
      logger.warn(
        { outboxId: event.id, eventId: event.eventId, orderId: event.orderId, reason },
        "order event cannot be encoded; parked (order_events_outbox.parked_at), its order's later events wait",
      );
    }
    if (unencodable.length > 0) observer.parked(unencodable.length);
    if (ready.length === 0) return { size: claimed.length, sent: 0, publishSeconds: 0 };
    const events = ready.map((r) => r.event);
    const ids = events.map((e) => e.id);
    const started = performance.now();
    const publishing = events.map((e) =>
      startProducerSpan(tracer, options.topic, e.traceContext, {
        "marketplace.order_id": e.orderId,
        "marketplace.order_status": e.status,
      }),
    );
    try {
      await bus.publish(
        options.topic,
        ready.map((r, i) => toBusMessage(r.event, r.value, publishing[i]?.traceparent ?? null)),
        AbortSignal.any([signal, AbortSignal.timeout(options.publishTimeoutMs)]),
      );
      endProducerSpans(publishing.map((p) => p.span));
    } catch (error) {
      endProducerSpans(
        publishing.map((p) => p.span),
        error,
      );
      // What the broker did acknowledge is sent: marking it so keeps a retry from sending it again.
      const acknowledged = acknowledgedOf(error);
      const sent = events.filter((_, i) => acknowledged.has(i));
      const refused = events.filter((_, i) => !acknowledged.has(i));
      if (sent.length > 0) await tx.markSent(sent.map((e) => e.id));
      await tx.markFailed(
        refused.map((e) => e.id),
        describe(error),
      );
      return {
        size: claimed.length,
        sent: sent.length,
        error,
        refusedOrders: [...new Set(refused.map((e) => e.orderId))],
        publishSeconds: (performance.now() - started) / 1000,
      };
    }
    const publishSeconds = (performance.now() - started) / 1000;
    await tx.markSent(ids);
    return { size: claimed.length, sent: events.length, publishSeconds };
  });
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1_000);
}
