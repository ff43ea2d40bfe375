// Every service's database bounds a statement's run time on every connection, whoever opens
// it: the pool behind pgbouncer (TEST_PG=stack: through the service's pgbouncer in transaction
// pooling, where a per-connection SET would leak to other clients and the `options` startup
// parameter is ignored), the relay's direct session, a script. The migrations set it on the
// database itself, so a new server connection starts with it. A statement cut by it reaches the
// caller as DEADLINE_EXCEEDED (504), not INTERNAL.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestPostgres, type TestPostgres } from "../../tests/support/postgres.ts";
import { AppError } from "../rpc/errors.ts";
import { Database } from "./postgres.ts";

const SERVICES = ["cart", "loms", "notifications"] as const;
let pg: TestPostgres;
const dbs = new Map<string, Database>();
beforeAll(async () => {
  pg = await startTestPostgres(SERVICES);
  for (const service of SERVICES) {
    dbs.set(
      service,
      new Database({ url: pg.url(service), max: 2, applicationName: `${service}-timeout-test` }),
    );
  }
}, 60_000);
afterAll(async () => {
  for (const db of dbs.values()) await db.close();
  await pg?.stop();
});

test.each(SERVICES)("%s: a new connection starts with statement_timeout 10s", async (service) => {
  const db = dbs.get(service) as Database;
  // Both pooled connections, so neither one is a connection that happened to be set up by hand.
  const shown = await Promise.all(
    [0, 1].map(() =>
      db.withTx(AbortSignal.timeout(5_000), async (tx) => {
        const { rows } = await tx.query("select current_setting('statement_timeout'), pg_sleep(0.05)", []);
        return rows[0]?.[0];
      }),
    ),
  );
  expect(shown).toEqual(["10s", "10s"]);
});

test("a statement that outruns statement_timeout is cut and answers DEADLINE_EXCEEDED", async () => {
  const db = dbs.get("loms") as Database;
  const started = performance.now();
  const err = await db
    .withTx(AbortSignal.timeout(10_000), async (tx) => {
      // The same limit, made short for the test, only inside this transaction.
      await tx.query("set local statement_timeout = 200", []);
      await tx.query("select pg_sleep(5)", []);
    })
    .catch((e: unknown) => e);
  expect(performance.now() - started).toBeLessThan(3_000);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("DEADLINE_EXCEEDED");
  expect((err as AppError).message).toContain("statement timeout");
});
