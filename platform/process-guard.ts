// The process-level safety net every service's main installs. A promise rejected with nobody
// listening (one escaped the Postgres driver's query cancel, for instance) terminates Bun, Node
// and Deno by default, taking every healthy request in flight down with it. It is a bug, so it
// is logged at error level, but the process keeps serving.

import type { Logger } from "./observability/logger.ts";
import { AppError } from "./rpc/errors.ts";

export function guardProcess(logger: Logger): void {
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: AppError.from(reason) }, "unhandled promise rejection (a bug); still serving");
  });
}
