// Graceful shutdown: on SIGINT/SIGTERM run the registered steps in order (turn readiness off,
// wait a pre-stop delay, stop accepting and drain servers, then background loops, then pools),
// all bounded by one deadline, and exit: 0 when every step succeeded, 1 when one failed or the
// deadline passed. A second signal exits at once.

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
    runSteps(logger, steps).then((ok) => {
      clearTimeout(force);
      logger.info({ ok }, "shutdown finished");
      process.exit(ok ? 0 : 1);
    });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

/**
 * Runs every step even if one fails, so a broken pool does not keep a port open; resolves true
 * when all succeeded.
 */
export async function runSteps(logger: Logger, steps: readonly ShutdownStep[]): Promise<boolean> {
  let ok = true;
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      ok = false;
      logger.error({ err, step: step.name }, "shutdown step failed");
    }
  }
  return ok;
}
