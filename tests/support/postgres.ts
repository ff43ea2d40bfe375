// A throwaway, migrated Postgres database per service for repository tests, in one of two
// places:
// - default: an embedded Postgres in a temp dir on a free port (unit runs, no stack needed);
// - TEST_PG=stack: a fresh database on the stack's cluster of that service, reached through the
//   service's pgbouncer in transaction pooling, exactly as the services reach theirs
//   (`make test-integration` runs the repository tests this way too).
// Either way each test file gets databases of its own and removes them in afterAll.

import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { Database } from "../../platform/db/postgres.ts";
import { startEmbeddedPostgres } from "../../platform/dev/embedded-postgres.ts";
import { migrate } from "../../platform/dev/migrate.ts";
import { freePort } from "./free-port.ts";

export interface TestPostgres {
  /** Connection URL of the migrated database of a service given to startTestPostgres. */
  url(service: string): string;
  stop(): Promise<void>;
}

/**
 * One service's throw-away database for the test file that calls this: created and migrated
 * before its tests, dropped after. The returned function gives the connected Database; its `url`
 * the connection URL, for tests that need a pool of their own.
 */
export function useServiceDatabase(service: string): (() => Database) & { url: () => string } {
  let pg: TestPostgres | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    pg = await startTestPostgres([service]);
    db = new Database({ url: pg.url(service), max: 20, applicationName: `${service}-test` });
  });
  afterAll(async () => {
    await db?.close();
    await pg?.stop();
  });
  const notReady = () => new Error(`${service} test database is not ready (call inside a test or hook)`);
  const get = () => {
    if (!db) throw notReady();
    return db;
  };
  return Object.assign(get, {
    url: () => {
      if (!pg) throw notReady();
      return pg.url(service);
    },
  });
}

export function startTestPostgres(services: readonly string[]): Promise<TestPostgres> {
  return process.env.TEST_PG === "stack" ? stackDatabases(services) : embeddedDatabases(services);
}

async function embeddedDatabases(services: readonly string[]): Promise<TestPostgres> {
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

// The stack's topology (scripts/lib/common.sh): cluster ports, pgbouncer ports; each cluster's
// superuser password and each service role's password is the service name.
const STACK_PORTS: Readonly<Record<string, { pg: number; bouncer: number }>> = {
  cart: { pg: 5433, bouncer: 6433 },
  loms: { pg: 5434, bouncer: 6434 },
  notifications: { pg: 5435, bouncer: 6435 },
};

async function stackDatabases(services: readonly string[]): Promise<TestPostgres> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const created: { service: string; name: string; admin: Database }[] = [];
  for (const service of services) {
    const ports = STACK_PORTS[service];
    if (!ports) throw new Error(`no stack database for ${service}`);
    const admin = new Database({
      url: `postgres://postgres:${service}@127.0.0.1:${ports.pg}/postgres`,
      max: 1,
      applicationName: "test-admin",
    });
    const name = `${service}_it_${suffix}`;
    await admin.query(`create database "${name}" owner "${service}"`, []);
    created.push({ service, name, admin });
    await migrate(
      `postgres://${service}:${service}@127.0.0.1:${ports.pg}/${name}`,
      `sql/${service}/migrations`,
    );
  }
  return {
    url: (service) => {
      const db = created.find((c) => c.service === service);
      if (!db) throw new Error(`no test database for ${service}`);
      return `postgres://${service}:${service}@127.0.0.1:${STACK_PORTS[service]?.bouncer}/${db.name}`;
    },
    stop: async () => {
      for (const { service, name, admin } of created) {
        await closeBouncerConnections(service, name);
        await admin.query(`drop database if exists "${name}" with (force)`, []);
        await admin.close();
      }
    },
  };
}

// pgbouncer keeps idle server connections to the throw-away database; dropping it "with (force)"
// kills them under pgbouncer's feet, and pgbouncer 1.18 can then abort ("server in bad state"),
// taking the running service's pool down with it. KILL on its admin console closes them first.
// The console speaks only the simple query protocol.
async function closeBouncerConnections(service: string, database: string): Promise<void> {
  const bouncer = postgres({
    host: "127.0.0.1",
    port: STACK_PORTS[service]?.bouncer,
    user: service,
    password: service,
    database: "pgbouncer",
    max: 1,
    prepare: false,
    fetch_types: false,
  });
  try {
    await bouncer.unsafe(`KILL ${database}`).simple();
  } finally {
    await bouncer.end({ timeout: 5 });
  }
}
