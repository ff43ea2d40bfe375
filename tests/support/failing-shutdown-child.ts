// Run by platform/shutdown.test.ts as its own process: a shutdown whose middle step fails.
// Prints "READY" once its signal handlers are installed.

import { createLogger } from "../../platform/observability/logger.ts";
import { onShutdown } from "../../platform/shutdown.ts";

onShutdown(createLogger("child"), [
  { name: "servers", run: () => {} },
  {
    name: "broken pool",
    run: () => {
      throw new Error("pool refused to close");
    },
  },
  { name: "last", run: () => {} },
]);
setInterval(() => {}, 1_000); // keeps the process alive until the signal
console.log("READY");
