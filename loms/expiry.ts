// The background loop that cancels orders left unpaid longer than the payment timeout. It runs
// inside every LOMS replica; ClaimExpiredOrders' SKIP LOCKED makes replicas split the work
// instead of cancelling the same order twice. It stops when `signal` aborts, finishing (or
// rolling back) the batch in hand. An order that cannot be cancelled because its data breaks an
// invariant is parked by the use case (cancelExpired): logged here as an error and counted, while
// the rest of its batch expires.

import type { Logger } from "../platform/observability/logger.ts";
import { sleep } from "../platform/rpc/context.ts";
import type { ExpiryPass, LomsUsecase } from "./usecase.ts";

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
  onParked: (count: number) => void = () => {},
): Promise<void> {
  while (!signal.aborted) {
    try {
      await expireAll(usecase, options, logger, signal, onParked);
    } catch (err) {
      if (signal.aborted) break;
      logger.error({ err }, "order expiry pass failed; retrying next interval");
    }
    await sleep(options.intervalMs, signal).catch(() => {});
  }
}

/** Passes until one claims less than a full batch. */
async function expireAll(
  usecase: LomsUsecase,
  options: ExpiryOptions,
  logger: Logger,
  signal: AbortSignal,
  onParked: (count: number) => void,
): Promise<void> {
  let pass: ExpiryPass;
  do {
    pass = await usecase.cancelExpired({ signal }, options.paymentTimeoutMs, options.batchSize);
    if (pass.cancelled > 0) logger.info({ cancelled: pass.cancelled }, "cancelled unpaid orders");
    for (const { orderId, reason } of pass.parked) {
      logger.error(
        { orderId, reason },
        "unpaid order parked: it cannot be cancelled until its data is repaired (see expiry_parked_orders)",
      );
    }
    if (pass.parked.length > 0) onParked(pass.parked.length);
  } while (pass.claimed === options.batchSize && !signal.aborted);
}
