// Applies a service's dbmate migrations (sql/<service>/migrations) with the dbmate binary that
// the npm `dbmate` package ships. dbmate takes a lock table row per migration, so concurrent
// runs are safe, and already-applied migrations are skipped.
// The URL carries the password: it goes to dbmate through the environment (a command line is
// visible to every user in `ps`), and a failure reports dbmate's own words with the URL and the
// password masked, never the command.

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function migrate(databaseUrl: string, migrationsDir: string): Promise<void> {
  const url = new URL(databaseUrl);
  if (!url.searchParams.has("sslmode")) url.searchParams.set("sslmode", "disable");
  const dbmate = resolve("node_modules/.bin/dbmate");
  try {
    await run(dbmate, ["--migrations-dir", migrationsDir, "--no-dump-schema", "up"], {
      timeout: 120_000,
      env: { ...process.env, DATABASE_URL: url.toString() },
    });
  } catch (err) {
    const said = String((err as { stderr?: unknown }).stderr ?? "").trim() || "no output";
    throw new Error(`migrations in ${migrationsDir} failed: ${mask(said, url)}`);
  }
}

function mask(text: string, url: URL): string {
  const secrets = [url.toString(), decodeURIComponent(url.password), url.password].filter(
    (s) => s.length > 0,
  );
  return secrets.reduce((out, secret) => out.replaceAll(secret, "***"), text);
}
