// Where an order event's time goes between LOMS's commit and the stored notification, per event,
// for scripts/bench-events.ts. Timestamps, all from this machine's one clock:
//   moment       LOMS, just before the order's transaction commits (outbox row)
//   claimed      the relay's transaction start (now() as written to sent_at; its claim follows)
//   sent         the producer's CreateTime on the Kafka record (kafkajs: when the send was built)
//   arrived      when a consumer of this probe's own group received it: the broker exposes a
//                record to consumers only once every in-sync replica has it, i.e. about when the
//                relay's acks=-1 answer goes out; plus the fetch's response
//   stored       the notification transaction's start (notifications.created_at)
// The probe's group reads the topic beside the notifications group; it is one more fetcher.

import { Kafka, logLevel } from "kafkajs";
import { Database } from "../../platform/db/postgres.ts";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
  };
};

export const fmt = (x: { p50: number; p90: number; p99: number; max: number }) =>
  `p50 ${x.p50.toFixed(1)} ms  p90 ${x.p90.toFixed(1)} ms  p99 ${x.p99.toFixed(1)} ms  max ${x.max.toFixed(1)} ms`;

interface Seen {
  sent: number;
  arrived: number;
}

/** Joins the topic in a group of its own (at the end of the log); call before the run. */
export async function startHopProbe(brokers: readonly string[], topic: string) {
  const kafka = new Kafka({ clientId: "bench-hops", brokers: [...brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-hops-${Date.now()}`, maxWaitTimeInMs: 100 });
  const seen = new Map<string, Seen>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ message }) => {
      const arrived = Date.now();
      const eventId = message.headers?.["event-id"]?.toString();
      if (eventId) seen.set(eventId, { sent: Number(message.timestamp), arrived });
    },
  });
  await joined;
  await new Promise((r) => setTimeout(r, 1_000)); // the first fetch positions the group at the end
  return {
    /** Per-hop latencies (ms) of the given orders' `awaiting payment` events. */
    async hops(orderIds: readonly number[]) {
      await consumer.disconnect();
      const loms = new Database({
        url: "postgres://loms:loms@127.0.0.1:5434/loms",
        max: 1,
        applicationName: "bench",
      });
      const notes = new Database({
        url: "postgres://notifications:notifications@127.0.0.1:5435/notifications",
        max: 1,
        applicationName: "bench",
      });
      const ids = [orderIds.map(String)];
      const outbox = await loms.query(
        `select event_id::text, extract(epoch from moment) * 1000, extract(epoch from sent_at) * 1000
         from order_events_outbox where status = 'awaiting payment' and order_id = any($1::bigint[])`,
        ids,
      );
      const stored = await notes.query(
        `select event_id::text, extract(epoch from created_at) * 1000
         from notifications where status = 'awaiting payment' and order_id = any($1::bigint[])`,
        ids,
      );
      await Promise.all([loms.close(), notes.close()]);
      const storedAt = new Map(stored.rows.map((r) => [String(r[0]), Number(r[1])]));
      const out = {
        commitToClaim: [] as number[],
        claimToSend: [] as number[],
        sendToArrival: [] as number[],
      };
      const arrivalToStored: number[] = [];
      for (const [eventId, moment, claimed] of outbox.rows) {
        const kafka = seen.get(String(eventId));
        const at = storedAt.get(String(eventId));
        if (kafka === undefined || at === undefined || claimed === null) continue;
        out.commitToClaim.push(Number(claimed) - Number(moment));
        out.claimToSend.push(kafka.sent - Number(claimed));
        out.sendToArrival.push(kafka.arrived - kafka.sent);
        arrivalToStored.push(at - kafka.arrived);
      }
      return { ...out, arrivalToStored };
    },
  };
}
