// On the stack, the services' own databases, reached as the services reach them (through their
// pgbouncer in transaction pooling), run every statement under the statement_timeout their
// migrations set. pgbouncer keeps server connections for up to an hour, and a connection opened
// before the migration would carry no limit: stack-run.sh has pgbouncer reopen them.
// Several statements at once, so that several of the pool's server connections answer.

import { afterAll, expect, test } from "bun:test";
import { Database } from "../platform/db/postgres.ts";

const BOUNCERS = { cart: 6433, loms: 6434, notifications: 6435 } as const;
const dbs: Database[] = [];
afterAll(async () => {
  for (const db of dbs) await db.close();
});

test.each(Object.entries(BOUNCERS))(
  "%s: every server connection behind pgbouncer has statement_timeout 10s",
  async (service, port) => {
    const db = new Database({
      url: `postgres://${service}:${service}@127.0.0.1:${port}/${service}`,
      max: 6,
      applicationName: "statement-timeout-it",
    });
    dbs.push(db);
    const shown = await Promise.all(
      Array.from({ length: 6 }, () =>
        db.withTx(AbortSignal.timeout(5_000), async (tx) => {
          const { rows } = await tx.query("select current_setting('statement_timeout'), pg_sleep(0.2)", []);
          return rows[0]?.[0];
        }),
      ),
    );
    expect(shown).toEqual(Array(6).fill("10s"));
  },
);
