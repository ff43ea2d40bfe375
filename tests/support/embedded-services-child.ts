// Run by tests/embedded-restart.test.ts as its own process: embedded mode's services (one
// process, in-process event bus) on databases the test owns, given as a JSON object of
// service → URL in argv[2]. Prints "READY <ports JSON>" once serving; SIGTERM stops it
// gracefully, SIGKILL is the crash.

import { createLogger } from "../../platform/observability/logger.ts";
import { onShutdown } from "../../platform/shutdown.ts";
import { startEmbeddedServices } from "../../scripts/embedded-system.ts";

const urls = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>;
const logger = createLogger("embedded-child");
const services = await startEmbeddedServices(
  process.env,
  (service) => {
    const url = urls[service];
    if (!url) throw new Error(`no database URL for ${service}`);
    return url;
  },
  logger,
);
onShutdown(logger, [{ name: "services", run: () => services.stop() }]);
console.log(`READY ${JSON.stringify(services.ports)}`);
