// Postgres access for every service: a pool from the `postgres` driver, the DBTX adapter that
// sqlc-generated queries run on, and transactions. Behind pgbouncer in transaction pooling
// prepared statements break (writes silently lost), so `prepare` stays off there; only a direct
// connection (embedded mode) turns it on.
// A request's AbortSignal cancels its running query (a real server-side cancel).

import type { Tracer } from "@opentelemetry/api";
import postgres from "postgres";
import type { PoolStats } from "../observability/saturation.ts";
import { noopTracer } from "../observability/tracing.ts";
import { sleep, untilAborted } from "../rpc/context.ts";
import { AppError, hasCode } from "../rpc/errors.ts";
import { traced } from "./statement-span.ts";

/** Structurally the same as the DBTX each gen/sql/<service>/db.ts declares. */
export interface DBTX {
  query(
    text: string,
    values: readonly unknown[],
    signal?: AbortSignal,
  ): Promise<{ rows: unknown[][]; rowCount: number }>;
}

export interface TxDb extends DBTX {
  /** Runs `fn` in a savepoint: if it throws, only its work is rolled back, then the error rethrown. */
  savepoint<T>(fn: (db: DBTX) => Promise<T>): Promise<T>;
}

export interface PoolOptions {
  readonly url: string;
  readonly max?: number;
  readonly applicationName: string;
  /** Each query becomes a child span of the active one; never with SQL text or parameters. */
  readonly tracer?: Tracer;
  /**
   * Named prepared statements (parse once per connection, then bind and execute). Only on a
   * direct connection: behind pgbouncer's transaction pooling a statement prepared on one server
   * connection is missing on the next, so the stack keeps this off.
   */
  readonly prepare?: boolean;
}

export class Database implements DBTX {
  readonly #sql: postgres.Sql;
  readonly #tracer: Tracer;
  readonly #max: number;
  /** Queries and transactions under way; each holds a connection or waits for one. */
  #active = 0;

  constructor(options: PoolOptions) {
    this.#tracer = options.tracer ?? noopTracer;
    this.#max = options.max ?? 10;
    this.#sql = postgres(options.url, {
      prepare: options.prepare ?? false,
      max: this.#max,
      idle_timeout: 30,
      connect_timeout: 10,
      // Seconds before a connection that failed is tried again. The driver's default grows to
      // 20 s, and a query handed to such a connection waits it out: with a pgbouncer down every
      // request hung until its deadline, and for seconds after it was back. Capped at half a
      // second, a refused database answers UNAVAILABLE within that, and one that is back is used.
      backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 0.5),
      onnotice: () => {},
      connection: { application_name: options.applicationName },
    });
  }

  /**
   * One statement on a pooled connection. One that Postgres aborted (deadlock, serialization
   * failure, or a cancel meant for the connection's previous statement) had no effect and runs
   * again, as withTx runs a transaction again, up to TX_ATTEMPTS times.
   */
  async query(text: string, values: readonly unknown[], signal?: AbortSignal) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#counted(() =>
          traced(this.#tracer, text, () => run(this.#sql, text, values, signal)),
        );
      } catch (err) {
        if (!hasCode(err, "ABORTED") || attempt >= TX_ATTEMPTS) throw err;
      }
    }
  }

  /** For the saturation gauges: the driver queues work beyond `max` connections internally. */
  stats(): PoolStats {
    return {
      size: this.#max,
      inUse: Math.min(this.#active, this.#max),
      waiting: Math.max(0, this.#active - this.#max),
    };
  }

  async #counted<T>(fn: () => Promise<T>): Promise<T> {
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
    }
  }

  /**
   * Runs `fn` in one transaction: commit when it resolves, roll back when it throws. A
   * transaction Postgres aborted for a deadlock or a serialization failure is run again (so `fn`
   * must only do database work), up to TX_ATTEMPTS times, then fails ABORTED. The signal is
   * honoured while waiting for a pooled connection too: a saturated pool answers at the deadline.
   */
  async withTx<T>(signal: AbortSignal, fn: (tx: TxDb) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        const work = () =>
          this.#sql.begin((tx) => {
            // The connection came after the caller gave up: do nothing (the transaction rolls back).
            signal.throwIfAborted();
            return fn(txDb(tx, this.#tracer));
          });
        return (await this.#counted(() =>
          traced(this.#tracer, "BEGIN", () => untilAborted(work(), signal)),
        )) as T;
      } catch (err) {
        const normalized = normalize(err, signal);
        if (!hasCode(normalized, "ABORTED") || attempt >= TX_ATTEMPTS) throw normalized;
        await sleep(Math.random() * 20 * attempt, signal);
      }
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.query("select 1", [], signal);
  }

  close(timeoutSeconds = 5): Promise<void> {
    return this.#sql.end({ timeout: timeoutSeconds });
  }
}

function txDb(tx: postgres.TransactionSql, tracer: Tracer): TxDb {
  return {
    query: (text, values, signal) => traced(tracer, text, () => run(tx, text, values, signal)),
    savepoint: async <T>(fn: (db: DBTX) => Promise<T>) =>
      (await tx.savepoint((sp) =>
        fn({ query: (t, v, s) => traced(tracer, t, () => run(sp, t, v, s)) }),
      )) as T,
  };
}

/**
 * Runs one statement; the signal aborting cancels it on the server. By default the caller stops
 * waiting at once. With `settle`, it waits until the cancelled statement has ended before
 * rejecting: a reserved connection runs one statement at a time, and the next one must not
 * queue behind the one being cancelled (statement_timeout bounds that wait).
 */
export async function run(
  sql: postgres.Sql | postgres.TransactionSql,
  text: string,
  values: readonly unknown[],
  signal?: AbortSignal,
  settle = false,
): Promise<{ rows: unknown[][]; rowCount: number }> {
  signal?.throwIfAborted();
  // `unsafe` turns the pool's `prepare` off for its queries unless asked: without this every
  // parameterised statement was parsed afresh and cost two round trips (Parse/Describe, then
  // Bind/Execute). `prepare: true` here only lets the pool's own setting through, so a pool
  // behind pgbouncer (prepare off) still never names a statement.
  const pending = sql.unsafe(text, values as postgres.ParameterOrJSON<never>[], { prepare: true }).values();
  const onAbort = () => pending.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = signal && !settle ? await untilAborted(pending, signal) : await pending;
    if (settle) signal?.throwIfAborted(); // finished as the cancel went out: aborted all the same
    return { rows: [...result] as unknown[][], rowCount: result.count };
  } catch (err) {
    throw normalize(err, signal);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** How many times withTx runs a transaction that Postgres aborted for a deadlock or conflict. */
const TX_ATTEMPTS = 4;

// The driver's own codes for a connection it could not make or lost.
const DRIVER_CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/**
 * Postgres and driver errors by what a caller can do about them: the database (or pgbouncer in
 * front of it) is down or full → UNAVAILABLE, retry later (503); the transaction lost a deadlock
 * or a serialization race → ABORTED (withTx retries it); a statement the database cut at its
 * statement_timeout → DEADLINE_EXCEEDED (504). A query we cancelled reports why; anything else stays as is and becomes INTERNAL at the boundary, so SQL text and
 * parameters never reach a client.
 */
export function normalize(err: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return err;
  if (
    DRIVER_CONNECTION_ERRORS.has(code) ||
    code.startsWith("08") || // connection exceptions; pgbouncer reports a down server as 08P01
    code === "53300" || // too_many_connections
    code.startsWith("57P") // admin/crash shutdown, cannot_connect_now, database_dropped
  ) {
    return AppError.unavailable(`database unavailable (${code})`, err);
  }
  if (code === "57014" && /user request/.test((err as Error).message)) {
    // A cancel request names a connection, not a statement: one sent for a statement of ours
    // that had just ended (or for another caller's statement pipelined on the same connection)
    // cancels what runs there next. This statement's caller never gave up, and the statement
    // had no effect: ABORTED, so it runs again. (The test is on the message because the code is
    // the same as for statement_timeout; under a non-English lc_messages it falls to the next case.)
    return new AppError("ABORTED", "statement cancelled by a cancel meant for another one, try again", {
      cause: err,
    });
  }
  if (code === "57014") {
    // query_canceled with no signal of ours aborted: the database's statement_timeout (set on
    // every service database by its migrations) cut a statement that ran too long.
    return new AppError(
      "DEADLINE_EXCEEDED",
      "statement timeout: the database cut a statement that ran too long",
      {
        cause: err,
      },
    );
  }
  if (code === "40P01" || code === "40001") {
    return new AppError("ABORTED", `transaction aborted by a concurrent one (${code}), try again`, {
      cause: err,
    });
  }
  return err;
}
