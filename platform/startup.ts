// Start-up failures a user can fix say what went wrong and what to do, in one line at the
// default log level, instead of a stack trace from deep inside a library.

import { envInt } from "./config.ts";
import type { Logger } from "./observability/logger.ts";
import { guardProcess } from "./process-guard.ts";
import { sleep } from "./rpc/context.ts";
import { onShutdown, type ShutdownStep } from "./shutdown.ts";

/** A failure at start-up with a known cause; `message` is "<problem>: <what to do>". */
export class StartupError extends Error {
  constructor(problem: string, fix: string, options?: { cause?: unknown }) {
    super(`${problem}: ${fix}`, options);
    this.name = "StartupError";
  }
}

/** Logs why `what` did not start: the sentence alone for a StartupError, with the error otherwise. */
export function logStartupFailure(logger: Logger, what: string, err: unknown): void {
  if (err instanceof StartupError) {
    logger.error(`${what} failed to start: ${err.message}`);
    return;
  }
  const reason = err instanceof Error ? err.message : String(err ?? "unknown error");
  logger.error({ err }, `${what} failed to start: ${reason}`);
}

/**
 * The `import.meta.main` block of a service: start, stop on signals, or explain and exit 1. On a
 * signal readiness turns false first, then SHUTDOWN_PRE_STOP_MS pass (load balancers and
 * clients watching /readyz or gRPC health stop sending), then the service stops.
 */
export async function runMain(
  logger: Logger,
  what: string,
  start: () => Promise<{ drain(): void; stop(): Promise<void> }>,
): Promise<void> {
  guardProcess(logger);
  const preStopMs = envInt(process.env, "SHUTDOWN_PRE_STOP_MS", 2_000);
  try {
    const running = await start();
    const steps: ShutdownStep[] = [
      { name: "readiness off", run: () => running.drain() },
      { name: "pre-stop delay", run: () => sleep(preStopMs) },
      { name: what, run: () => running.stop() },
    ];
    onShutdown(logger, steps);
  } catch (err) {
    logStartupFailure(logger, what, err);
    process.exit(1);
  }
}

/** Turns "address in use" from a listener into the port, the cause and the variable to change. */
export function listenFailure(err: unknown, where: string, variable: string): unknown {
  // Node and Bun's HTTP servers set code EADDRINUSE; grpc-js only says so in its message.
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== "EADDRINUSE" && !/EADDRINUSE|address already in use/i.test(text)) return err;
  return new StartupError(
    `${where} is already in use`,
    `stop the process that holds it, or set ${variable} to a free port`,
    { cause: err },
  );
}
