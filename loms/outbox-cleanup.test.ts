// Outbox retention on real Postgres: one cleanup pass deletes every sent event past the
// retention, however many arrived since the last pass, so deletion keeps pace with any event
// rate; pending events and sent ones inside the retention stay.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "../platform/db/postgres.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { startTestPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { runOutboxCleanup } from "./outbox-cleanup.ts";
import { pgOutboxRetention } from "./outbox-repo.ts";

const logger = createLogger("outbox-cleanup-test");
let pg: TestPostgres;
let db: Database;

beforeAll(async () => {
  pg = await startTestPostgres(["loms"]);
  db = new Database({ url: pg.url("loms"), max: 4, applicationName: "outbox-cleanup-test" });
}, 30_000);
afterAll(async () => {
  await db?.close();
  await pg?.stop();
}, 20_000);

const count = async (where: string) =>
  Number((await db.query(`select count(*) from order_events_outbox where ${where}`, [])).rows[0]?.[0]);

/** `n` outbox rows for order `orderId`, sent `sentAgo` ago (null: pending). */
async function seed(n: number, orderId: number, sentAgo: string | null) {
  await db.query(
    `insert into order_events_outbox (event_id, order_id, status, moment, sent_at)
     select gen_random_uuid(), $1, 'new', now(), ${sentAgo === null ? "null" : `now() - interval '${sentAgo}'`}
     from generate_series(1, $2::int)`,
    [orderId, n],
  );
}

test("one pass deletes every sent event past the retention (30,000 of them), keeps pending and recent ones", async () => {
  await seed(30_000, 1, "2 hours");
  await seed(5, 2, "1 minute");
  await seed(3, 3, null);
  const stop = new AbortController();
  const intervalMs = 5_000;
  const options = { retentionMs: 3_600_000, intervalMs, batchSize: 5_000 };
  // Two replicas clean at once: they split the rows rather than fail or wait on each other.
  const loops = [1, 2].map(() => runOutboxCleanup(pgOutboxRetention(db), options, logger, stop.signal));
  try {
    const expired = () => count("sent_at < now() - interval '1 hour'");
    const deadline = Date.now() + 3 * intervalMs;
    while ((await expired()) === 30_000 && Date.now() < deadline) await Bun.sleep(50);
    const firstSeen = Date.now();
    // Well before a second pass could start: the first one must have deleted everything.
    while ((await expired()) > 0 && Date.now() - firstSeen < intervalMs * 0.8) await Bun.sleep(50);
    expect(await expired()).toBe(0);
    expect(await count("order_id = 2 and sent_at is not null")).toBe(5);
    expect(await count("order_id = 3 and sent_at is null")).toBe(3);
  } finally {
    stop.abort();
    await Promise.all(loops);
  }
}, 60_000);
