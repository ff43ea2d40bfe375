// Outbox retention: deletes events sent longer than the retention ago. Each pass deletes batch
// after batch until a batch comes back short, so one pass removes everything that expired since
// the last, however high the event rate: deletion keeps pace, and the table holds about
// rate × (retention + interval) sent rows. (It used to delete at most 10,000 rows a minute
// inside the relay loop, ~167/s, below the benchmark's own rate: the table grew without bound.)
//
// It runs on the service's pool in every replica, beside the relay rather than inside its loop,
// so a long pass never holds back publishing; replicas split the rows (SKIP LOCKED). Each batch
// is its own short statement, so no lock is held for the whole pass.

import type { Logger } from "../platform/observability/logger.ts";
import { sleep } from "../platform/rpc/context.ts";
import type { OutboxRetention } from "./ports.ts";

export interface OutboxCleanupOptions {
  /** Sent events are kept this long (for inspection and replay), then deleted. */
  readonly retentionMs: number;
  readonly intervalMs: number;
  /** Rows per DELETE: large enough to be cheap per row, small enough to keep statements short. */
  readonly batchSize: number;
}

export async function runOutboxCleanup(
  retention: OutboxRetention,
  options: OutboxCleanupOptions,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const deleted = await cleanOnce(retention, options, signal);
      if (deleted > 0) logger.info({ deleted }, "deleted sent order events past retention");
    } catch (err) {
      if (signal.aborted) break;
      logger.warn({ err }, "outbox cleanup failed; retrying next interval");
    }
    await sleep(options.intervalMs, signal).catch(() => {});
  }
}

/** One pass: batches until one comes back short; returns how many rows went. */
async function cleanOnce(
  retention: OutboxRetention,
  { retentionMs, batchSize }: OutboxCleanupOptions,
  signal: AbortSignal,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await retention.deleteSent(signal, retentionMs, batchSize);
    total += deleted;
    if (deleted < batchSize || signal.aborted) return total;
  }
}
