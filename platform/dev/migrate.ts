// Applies a service's dbmate migrations (sql/<service>/migrations) with the dbmate binary that
// the npm `dbmate` package ships. dbmate takes a lock table row per migration, so concurrent
// runs are safe, and already-applied migrations are skipped.

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function migrate(databaseUrl: string, migrationsDir: string): Promise<void> {
  const url = new URL(databaseUrl);
  if (!url.searchParams.has("sslmode")) url.searchParams.set("sslmode", "disable");
  const dbmate = resolve("node_modules/.bin/dbmate");
  await run(dbmate, ["--url", url.toString(), "--migrations-dir", migrationsDir, "--no-dump-schema", "up"], {
    timeout: 120_000,
  });
}
