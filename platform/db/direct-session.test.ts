// A DirectSession whose backend dies must fail its queries, not the process: postgres.js 3.4.9
// crashes on a reserved connection's next write after the socket closed (porsager/postgres#1208),
// which patches/postgres+3.4.9.patch guards. The session runs in a child process so that the
// crash, if the patch is missing, shows up as that child's exit instead of killing the test run.
// And a session honours cancellation: the caller's signal stops a running statement on the
// server, and the session is free for the next one.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { startTestPostgres, type TestPostgres } from "../../tests/support/postgres.ts";
import { AppError } from "../rpc/errors.ts";
import { DirectSession } from "./direct-session.ts";
import { Database } from "./postgres.ts";

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres(["loms"]);
});
afterAll(async () => {
  await pg?.stop();
});

test("queries on a session whose backend was terminated reject; the process survives", () => {
  const child = spawnSync(process.execPath, ["tests/support/lost-session-child.ts", pg.url("loms")], {
    encoding: "utf8",
    timeout: 15_000,
  });
  expect(child.stderr).not.toContain("socket.write");
  expect(child.stdout.trim().split("\n")).toEqual([
    "DRIVER CONNECTION_CLOSED",
    "DRIVER CONNECTION_CLOSED",
    "DRIVER CONNECTION_CLOSED",
    "SESSION UNAVAILABLE",
    "SESSION UNAVAILABLE",
    "SURVIVED",
  ]);
  expect(child.status).toBe(0);
}, 60_000);

test("aborting the signal stops the session's running statement on the server; the session goes on", async () => {
  const session = await DirectSession.open(pg.url("loms"), "direct-session-cancel-test");
  const observer = new Database({ url: pg.url("loms"), max: 1, applicationName: "observer" });
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new AppError("CANCELLED", "relay stopping")), 300);
    const started = performance.now();
    const err = await session
      .inTx(controller.signal, (db) => db.query("select pg_sleep(30)", [], controller.signal))
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect((err as AppError).message).toContain("relay stopping");
    const { rows } = await observer.query(
      "select count(*)::int from pg_stat_activity where application_name = $1 and query like '%pg_sleep(30)%' and state = 'active'",
      ["direct-session-cancel-test"],
    );
    expect(rows[0]?.[0]).toBe(0);
    const next = await session.inTx(AbortSignal.timeout(2_000), (db) => db.query("select 42", []));
    expect(next.rows[0]?.[0]).toBe(42);
  } finally {
    await session.close();
    await observer.close();
  }
}, 30_000);

test("a transaction's first statement (sent with BEGIN) is inside it: a failure rolls it back", async () => {
  const session = await DirectSession.open(pg.url("loms"), "direct-session-tx-test");
  try {
    const signal = AbortSignal.timeout(5_000);
    await session.inTx(signal, (db) => db.query("create table if not exists tx_probe (n int)", []));
    const err = await session
      .inTx(signal, async (db) => {
        await db.query("insert into tx_probe values ($1)", [1]);
        await db.query("insert into tx_probe values ($1)", [2]);
        throw new Error("crash before commit");
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe("crash before commit");
    const { rows } = await session.inTx(signal, (db) => db.query("select count(*)::int from tx_probe", []));
    expect(rows[0]?.[0]).toBe(0);
    // A transaction with no statement still begins and commits; a committed one stays.
    expect(await session.inTx(signal, async () => "empty")).toBe("empty");
    await session.inTx(signal, (db) => db.query("insert into tx_probe values ($1)", [3]));
    const after = await session.inTx(signal, (db) => db.query("select array_agg(n)::text from tx_probe", []));
    expect(after.rows[0]?.[0]).toBe("{3}");
  } finally {
    await session.close();
  }
}, 30_000);
