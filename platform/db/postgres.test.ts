// The Postgres adapter against a real (embedded) Postgres: error classes, transaction retries,
// and deadlines that hold while waiting for a pooled connection.

import { expect, test } from "bun:test";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { useServiceDatabase } from "../../tests/support/postgres.ts";
import { AppError } from "../rpc/errors.ts";
import { Database, normalize } from "./postgres.ts";
import { statementVerb } from "./statement-span.ts";

const database = useServiceDatabase("cart");

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const codeOfNormalized = (code: string) => {
  const err = normalize(pgError(code));
  return err instanceof AppError ? err.code : "unmapped";
};

test("a down, full or restarting database is UNAVAILABLE; deadlocks and conflicts ABORTED", () => {
  for (const code of [
    "08P01",
    "08006",
    "08001",
    "08003",
    "08004",
    "53300",
    "57P01",
    "57P02",
    "57P03",
    "ECONNREFUSED",
    "CONNECTION_CLOSED",
  ]) {
    expect([code, codeOfNormalized(code)]).toEqual([code, "UNAVAILABLE"]);
  }
  expect(codeOfNormalized("40P01")).toBe("ABORTED");
  expect(codeOfNormalized("40001")).toBe("ABORTED");
  // A constraint violation is a bug or bad data, not the database's state: left for INTERNAL.
  expect(codeOfNormalized("23505")).toBe("unmapped");
});

test("a transaction that lost a deadlock runs again", async () => {
  let attempts = 0;
  const result = await database().withTx(new AbortController().signal, async (tx) => {
    attempts++;
    await tx.query("select 1", []);
    if (attempts === 1) throw pgError("40P01");
    return "done";
  });
  expect(result).toBe("done");
  expect(attempts).toBe(2);
});

test("a transaction that keeps losing ends ABORTED (409), not INTERNAL", async () => {
  const run = database().withTx(new AbortController().signal, async () => {
    throw pgError("40001");
  });
  await expect(run).rejects.toMatchObject({ code: "ABORTED" });
});

test("with the pool's one connection held, a transaction and a query give up at their deadline", async () => {
  const single = new Database({ url: database.url(), max: 1, applicationName: "pool-of-one" });
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  let taken = () => {};
  const holding = new Promise<void>((r) => (taken = r));
  const holder = single.withTx(new AbortController().signal, async (tx) => {
    await tx.query("select 1", []);
    taken();
    await held;
  });
  await holding;
  try {
    for (const attempt of [
      (signal: AbortSignal) => single.withTx(signal, (tx) => tx.query("select 1", [])),
      (signal: AbortSignal) => single.query("select 1", [], signal),
    ]) {
      const started = performance.now();
      const signal = AbortSignal.any([AbortSignal.timeout(5_000), timeoutAs(200)]);
      await expect(attempt(signal)).rejects.toMatchObject({ code: "DEADLINE_EXCEEDED" });
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  } finally {
    release();
    await holder;
    await single.close();
  }
});

/** A signal that aborts after `ms` with the DEADLINE_EXCEEDED a request deadline carries. */
function timeoutAs(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new AppError("DEADLINE_EXCEEDED", "deadline exceeded (test)")), ms);
  return controller.signal;
}

test("with prepare on, a statement is parsed once per connection and then only bound; with it off, never named", async () => {
  const text = "select $1::int + 1 as next";
  const namedStatements = async (db: Database) => {
    for (const n of [1, 2, 3]) expect((await db.query(text, [n])).rows).toEqual([[n + 1]]);
    await db.withTx(new AbortController().signal, (tx) => tx.query(text, [4]));
    const { rows } = await db.query("select count(*)::int from pg_prepared_statements where statement = $1", [
      text,
    ]);
    return rows[0]?.[0];
  };
  const prepared = new Database({ url: database.url(), max: 1, applicationName: "prepared", prepare: true });
  const unprepared = new Database({
    url: database.url(),
    max: 1,
    applicationName: "unprepared",
    prepare: false,
  });
  try {
    // One named statement on the one connection, reused by the later calls and the transaction.
    expect(await namedStatements(prepared)).toBe(1);
    // Behind pgbouncer's transaction pooling a named statement would be missing on the next server connection.
    expect(await namedStatements(unprepared)).toBe(0);
  } finally {
    await prepared.close();
    await unprepared.close();
  }
});

// Found by `make chaos` (seed 2): after a burst of requests whose deadlines fired while the pool
// was still connecting, every later query waited forever — LOMS stayed unready until restarted.
test("callers that give up while a cold pool connects leave it serving", async () => {
  for (const prepare of [false, true]) {
    const cold = new Database({ url: database.url(), max: 2, applicationName: "cold-pool", prepare });
    try {
      const burst = Array.from({ length: 30 }, (_, i) =>
        cold.query("select pg_sleep(0.01)", [], timeoutAs(20 + (i % 10))).catch(() => "gave up"),
      );
      await Promise.all(burst);
      for (let i = 0; i < 5; i++) {
        const answer = await cold.query("select 1", [], AbortSignal.timeout(2_000)).catch((e) => e);
        expect([prepare, i, answer]).toEqual([prepare, i, { rows: [[1]], rowCount: 1 }]);
      }
    } finally {
      await cold.close(1);
    }
  }
});

// A cancel request names a connection, not a statement: one that arrives just after its statement
// ended cancels whatever that connection runs next. Callers who never gave up must not pay for it.
test("while other callers' deadlines cancel their statements, callers without one all succeed", async () => {
  const pool = new Database({ url: database.url(), max: 2, applicationName: "cancel-storm" });
  try {
    const innocent: Promise<unknown>[] = [];
    const cancelled: Promise<unknown>[] = [];
    for (let i = 0; i < 400; i++) {
      if (i % 2)
        innocent.push(
          pool.query("select pg_sleep(0.001)", []).then(
            () => "ok",
            (e) => e,
          ),
        );
      else cancelled.push(pool.query("select pg_sleep(0.002)", [], timeoutAs(i % 7)).catch(() => "gave up"));
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const answers = await Promise.all(innocent);
    await Promise.all(cancelled);
    expect(answers.filter((a) => a !== "ok")).toEqual([]);
  } finally {
    await pool.close(1);
  }
});

// The driver backs off reconnecting after each refused connection (3^n / 100 s, up to 20 s),
// and a query handed to a closed connection waits out that delay: with the stack's pgbouncer
// killed, cart's requests hung until their clients gave up, and kept hanging for seconds after
// pgbouncer was back (chaos, kill-pgbouncer).
test("while its database refuses connections queries answer UNAVAILABLE at once, and it is used again as soon as it is back", async () => {
  const target = new URL(database.url());
  const proxy = tcpProxy(Number(target.port));
  const port = await proxy.up(0);
  const via = new URL(database.url());
  via.port = String(port);
  const pool = new Database({ url: via.toString(), max: 2, applicationName: "refused-then-back" });
  const timed = async () => {
    const started = performance.now();
    const answer = await pool.query("select 1", [], AbortSignal.timeout(15_000)).catch((e) => e);
    return { answer, ms: performance.now() - started };
  };
  try {
    expect((await timed()).answer).toEqual({ rows: [[1]], rowCount: 1 });
    proxy.down();
    const whileDown = [];
    for (let i = 0; i < 12; i++) whileDown.push(await timed());
    expect(whileDown.map((r) => (r.answer as { code?: string }).code)).toEqual(Array(12).fill("UNAVAILABLE"));
    expect(whileDown.filter((r) => r.ms > 1_500).map((r) => Math.round(r.ms))).toEqual([]);
    await proxy.up(port);
    const back = await timed();
    expect(back.answer).toEqual({ rows: [[1]], rowCount: 1 });
    expect(back.ms).toBeLessThan(1_500);
  } finally {
    proxy.down();
    await pool.close(1);
  }
}, 60_000);

// Behind pgbouncer the pools run with prepare off, and the driver described every parameterised
// statement before running it (Parse/Describe, wait for the types, then Bind/Execute): two round
// trips per statement. patches/postgres+3.4.9.patch keeps the types a connection was told.
test("with prepare off, a statement its connection described before costs one round trip", async () => {
  const proxy = tcpProxy(Number(new URL(database.url()).port));
  const via = new URL(database.url());
  via.port = String(await proxy.up(0));
  const pool = new Database({
    url: via.toString(),
    max: 1,
    applicationName: "described-once",
    prepare: false,
  });
  const text = "select $1::int + 1 as next, $2::text as t, $3::timestamptz as at, $4::bigint[] as ids";
  const run = async (n: unknown) => {
    const before = proxy.writes;
    const answer = await pool.query(text, [n, "x", new Date(0), [1, 2]]).catch((e: unknown) => e);
    return { answer, writes: proxy.writes - before };
  };
  const rows = (n: number) => ({ rows: [[n + 1, "x", new Date(0), ["1", "2"]]], rowCount: 1 });
  try {
    await pool.query("select 1", []);
    expect(await run(1)).toEqual({ answer: rows(1), writes: 2 });
    expect(await run(2)).toEqual({ answer: rows(2), writes: 1 });
    expect(await run(3)).toEqual({ answer: rows(3), writes: 1 });
    // A failure forgets what was learnt: the next run describes again, and answers right.
    expect(((await run("not a number")).answer as { code?: string }).code).toBe("22P02");
    expect(await run(4)).toEqual({ answer: rows(4), writes: 2 });
    expect(await run(5)).toEqual({ answer: rows(5), writes: 1 });
    // Inside a transaction (the connection is the same) as well.
    await pool.withTx(new AbortController().signal, async (tx) => {
      const before = proxy.writes;
      expect((await tx.query(text, [6, "x", new Date(0), [1, 2]])).rows).toEqual(rows(6).rows);
      expect(proxy.writes - before).toBe(1);
    });
  } finally {
    proxy.down();
    await pool.close(1);
  }
});

/**
 * A TCP forwarder to 127.0.0.1:targetPort that can refuse connections (down) and accept again
 * (up); `writes` counts the chunks clients sent (a pipelined batch of messages is one).
 */
function tcpProxy(targetPort: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let writes = 0;
  return {
    get writes() {
      return writes;
    },
    up(port: number) {
      const listening = createServer((client) => {
        const upstream = tcpConnect(targetPort, "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => {});
          s.on("close", () => sockets.delete(s));
        }
        client.on("data", () => writes++);
        client.pipe(upstream).pipe(client);
      });
      server = listening;
      return new Promise<number>((resolve) =>
        listening.listen(port, "127.0.0.1", () => resolve((listening.address() as { port: number }).port)),
      );
    },
    down() {
      server?.close();
      for (const s of sockets) s.destroy();
    },
  };
}

// Spans are named by verb and table: a statement that starts WITH is named by what it changes
// (tests/tracing.integration.test.ts looks for "INSERT orders" in a checkout's trace).
test("a WITH statement is named by the first verb that changes data", async () => {
  const { insertOrderWithEventQuery, setOrderStatusWithEventQuery } = await import(
    "../../gen/sql/loms/orders_sql.ts"
  );
  expect(statementVerb(insertOrderWithEventQuery)).toBe("INSERT");
  expect(statementVerb(setOrderStatusWithEventQuery)).toBe("UPDATE");
  expect(statementVerb("with x as (select 1) select * from x")).toBe("SELECT");
  expect(statementVerb("  select 1")).toBe("SELECT");
});
