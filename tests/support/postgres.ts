// A throwaway real Postgres for tests: embedded, in a temp dir, on a free port, with the
// service's migrations applied. Each test file starts its own (well under a second) and stops
// it in afterAll, so files never share state.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../../platform/embedded-postgres.ts";
import { migrate } from "../../platform/migrate.ts";
import { freePort } from "./free-port.ts";

export interface TestPostgres {
  /** Connection URL of a migrated database per service name given to startTestPostgres. */
  url(service: string): string;
  stop(): Promise<void>;
}

export async function startTestPostgres(services: readonly string[]): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "marketplace-pg-"));
  const pg = await startEmbeddedPostgres({ dir, port: await freePort() });
  try {
    for (const service of services) {
      await pg.createDatabase(service);
      await migrate(pg.url(service), `sql/${service}/migrations`);
    }
  } catch (err) {
    await pg.stop();
    throw err;
  }
  return {
    url: (service) => pg.url(service),
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
