// Graceful shutdown: on SIGINT/SIGTERM run the registered steps in order (stop accepting and
// drain servers first, then background loops, then pools), each bounded by a deadline, and
// exit. A second signal exits at once.

import type { Logger } from "./observability/logger.ts";

export type ShutdownStep = { readonly name: string; readonly run: () => Promise<void> | void };

export function onShutdown(logger: Logger, steps: readonly ShutdownStep[], timeoutMs = 20_000): void {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    started = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown timed out");
      process.exit(1);
    }, timeoutMs);
    runSteps(logger, steps).then(() => {
      clearTimeout(force);
      process.exit(0);
    });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

/** Runs every step even if one fails, so a broken pool does not keep a port open. */
export async function runSteps(logger: Logger, steps: readonly ShutdownStep[]): Promise<void> {
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      logger.error({ err, step: step.name }, "shutdown step failed");
    }
  }
}
