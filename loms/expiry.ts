// The background loop that cancels orders left unpaid longer than the payment timeout. It runs
// inside every LOMS replica; ClaimExpiredOrders' SKIP LOCKED makes replicas split the work
// instead of cancelling the same order twice. It stops when `signal` aborts, finishing (or
// rolling back) the batch in hand.

import type { Logger } from "../platform/observability/logger.ts";
import { sleep } from "../platform/rpc/context.ts";
import type { LomsUsecase } from "./usecase.ts";

export interface ExpiryOptions {
  readonly paymentTimeoutMs: number;
  readonly intervalMs: number;
  readonly batchSize: number;
}

export async function runExpiryLoop(
  usecase: LomsUsecase,
  options: ExpiryOptions,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const ctx = { signal };
  while (!signal.aborted) {
    try {
      let cancelled: number;
      do {
        cancelled = await usecase.cancelExpired(ctx, options.paymentTimeoutMs, options.batchSize);
        if (cancelled > 0) logger.info({ cancelled }, "cancelled unpaid orders");
      } while (cancelled === options.batchSize && !signal.aborted);
    } catch (err) {
      if (signal.aborted) break;
      logger.error({ err }, "order expiry pass failed; retrying next interval");
    }
    await sleep(options.intervalMs, signal).catch(() => {});
  }
}
