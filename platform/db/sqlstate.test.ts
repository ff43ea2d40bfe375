// The permanent / worth-retrying split on errors a real (embedded) Postgres raises.

import { expect, test } from "bun:test";
import { useServiceDatabase } from "../../tests/support/postgres.ts";
import { AppError } from "../rpc/errors.ts";
import { Database } from "./postgres.ts";
import { describeDbError, isPermanentDbError } from "./sqlstate.ts";

const database = useServiceDatabase("cart");

async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error("expected the statement to fail");
}

test("data and integrity errors (classes 22, 23) are permanent, named without their values", async () => {
  const db = database();
  await db.query(
    "create table sqlstate_probe (id int primary key, n int not null check (n > 0), at timestamptz)",
    [],
  );
  await db.query("insert into sqlstate_probe values (1, 1, now())", []);
  const cases: [string, () => Promise<unknown>][] = [
    ["22008", () => db.query("select timestamptz '0000-01-01 00:00:00+00'", [])],
    ["22021", () => db.query("select $1::text", ["a\u0000b"])],
    ["22P02", () => db.query("select $1::uuid", ["not-a-uuid"])],
    ["22003", () => db.query("select $1::bigint", ["9223372036854775808"])],
    ["23505", () => db.query("insert into sqlstate_probe values (1, 1, now())", [])],
    ["23514", () => db.query("insert into sqlstate_probe values (2, 0, now())", [])],
    ["23502", () => db.query("insert into sqlstate_probe values (3, null, now())", [])],
  ];
  for (const [state, run] of cases) {
    const err = await errorOf(run);
    expect([state, isPermanentDbError(err), describeDbError(err)]).toEqual([
      state,
      true,
      expect.stringContaining(`SQLSTATE ${state}`),
    ]);
    expect(describeDbError(err)).not.toContain("a\u0000b");
  }
  const check = await errorOf(() => db.query("insert into sqlstate_probe values (2, 0, now())", []));
  expect(describeDbError(check)).toBe("SQLSTATE 23514 check_violation (constraint sqlstate_probe_n_check)");
  // Wrapped (an AppError keeps the driver's error as its cause): still read.
  expect(isPermanentDbError(new AppError("INTERNAL", "x", { cause: check }))).toBe(true);
});

test("a lost connection, a cancelled statement, a conflict or a bug are worth retrying", async () => {
  const db = database();
  const victim = new Database({ url: database.url(), max: 1, applicationName: "sqlstate-victim" });
  try {
    const killed = await errorOf(() =>
      victim.withTx(AbortSignal.timeout(5_000), async (tx) => {
        await db.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sqlstate-victim'",
          [],
        );
        await tx.query("select 1", []);
      }),
    );
    const cancelled = await errorOf(() =>
      db.withTx(AbortSignal.timeout(5_000), async (tx) => {
        await tx.query("set local statement_timeout = 10", []);
        await tx.query("select pg_sleep(1)", []);
      }),
    );
    // A statement cut by statement_timeout reaches callers as DEADLINE_EXCEEDED (postgres.ts
    // normalize), with the Postgres error as its cause.
    expect((cancelled as { code?: string }).code).toBe("DEADLINE_EXCEEDED");
    expect(((cancelled as { cause?: { code?: string } }).cause ?? {}).code).toBe("57014");
    const syntax = await errorOf(() => db.query("selec 1", []));
    const conflict = new AppError("ABORTED", "conflict", {
      cause: Object.assign(new Error("x"), { code: "40001" }),
    });
    for (const err of [killed, cancelled, syntax, conflict, new Error("no code")]) {
      expect([describeDbError(err), isPermanentDbError(err)]).toEqual([describeDbError(err), false]);
    }
  } finally {
    await victim.close(1);
  }
});
