// Run by platform/process-guard.test.ts as its own process: installs the guard, serves HTTP,
// and lets a promise reject with no handler. Prints "PORT <n>" once that has happened.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "../../platform/observability/logger.ts";
import { guardProcess } from "../../platform/process-guard.ts";

guardProcess(createLogger("child"));
const server = createServer((_req, res) => res.end("still serving"));
server.listen(0, "127.0.0.1", () => {
  // Deliberately unhandled: what the guard is for.
  Promise.reject(new Error("stray rejection"));
  setTimeout(() => console.log(`PORT ${(server.address() as AddressInfo).port}`), 100);
});
