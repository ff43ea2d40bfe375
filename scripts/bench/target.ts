// The system under load for `make bench`: embedded mode (every service in this one process,
// embedded Postgres in a temp dir, free ports) with the bench seed loaded, configured by the
// environment it is given. Prints its ports as one JSON line; SIGTERM stops it and deletes the data.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../platform/observability/logger.ts";
import { freePort } from "../../tests/support/free-port.ts";
import { startEmbeddedSystem } from "../embedded-system.ts";
import { seedBench } from "../seed-bench.ts";

const dir = mkdtempSync(join(tmpdir(), "marketplace-bench-"));
const port = await freePort();
const system = await startEmbeddedSystem(process.env, { dir, port }, createLogger("bench"));
await seedBench(`postgres://postgres:postgres@127.0.0.1:${port}/loms`);
console.log(JSON.stringify(system.ports));
process.on("SIGTERM", () => {
  system
    .stop()
    .finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    })
    .catch(() => {});
});
