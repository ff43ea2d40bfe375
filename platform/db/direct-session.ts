// A session on ONE direct Postgres connection, for what transaction pooling (pgbouncer) cannot
// carry: session-level advisory locks and LISTEN. Behind pgbouncer in transaction mode a session
// lock would be taken on whichever server connection served that statement and then be shared
// with, or lost to, other clients; LISTEN would never hear anything. So the URL given here must
// reach Postgres itself (the stack's direct port), never the pooler.
//
// Everything runs on the reserved connection, transactions included, so that losing the
// connection loses the lock and rolls back the work in hand together: no one keeps working
// under a lock another process has already taken over. LISTEN uses a second connection, which
// the driver re-establishes on its own.
//
// Once that connection has closed, the session is over: every later query fails at once with
// UNAVAILABLE instead of reaching the driver, where a reserved connection that lost its socket
// can leave a query queued forever (porsager/postgres#1186). The owner then closes it and opens
// a new one (the relay does).

import postgres from "postgres";
import { AppError } from "../rpc/errors.ts";
import { type DBTX, run } from "./postgres.ts";

interface SessionState {
  lost: boolean;
}

export class DirectSession {
  readonly #sql: postgres.Sql;
  readonly #conn: postgres.ReservedSql;
  readonly #db: DBTX;
  #listening: postgres.ListenMeta | undefined;

  private constructor(sql: postgres.Sql, conn: postgres.ReservedSql, state: SessionState) {
    this.#sql = sql;
    this.#conn = conn;
    // The caller's signal cancels a running statement on the server (the cancel request goes
    // on a connection of its own, straight to Postgres: this URL is never the pooler), and the
    // query rejects only once the statement has ended, so the next one (the rollback) does not
    // queue behind it. A cancel that never lands is bounded by the database's statement_timeout.
    this.#db = {
      query: (text, values, signal) => {
        signal?.throwIfAborted();
        if (state.lost)
          return Promise.reject(AppError.unavailable("database session lost (CONNECTION_CLOSED)"));
        return run(conn, text, values, signal, true);
      },
    };
  }

  static async open(url: string, applicationName: string): Promise<DirectSession> {
    const state: SessionState = { lost: false };
    // Named prepared statements: this URL reaches Postgres itself (never the pooler), so a
    // statement is parsed once per connection and then costs one round trip, not two.
    const sql = postgres(url, {
      prepare: true,
      max: 1,
      connect_timeout: 10,
      onnotice: () => {},
      connection: { application_name: applicationName },
      // max: 1, so this is the reserved connection (LISTEN's own pool has its own onclose).
      onclose: () => {
        state.lost = true;
      },
    });
    try {
      return new DirectSession(sql, await sql.reserve(), state);
    } catch (err) {
      await sql.end({ timeout: 1 });
      throw err;
    }
  }

  /** Takes the session-level advisory lock `key` if it is free; held until the session closes. */
  async tryLock(key: number, signal?: AbortSignal): Promise<boolean> {
    const { rows } = await this.#db.query("select pg_try_advisory_lock($1::bigint)", [key], signal);
    return rows[0]?.[0] === true;
  }

  /**
   * Runs `fn` in a transaction on this session's connection. BEGIN is not awaited on its own: it
   * goes out with the transaction's first statement (the driver pipelines a reserved
   * connection's queries), which saves a round trip per transaction. Should BEGIN fail, that
   * statement has failed too (the connection is gone; nothing else fails a plain BEGIN).
   */
  async inTx<T>(signal: AbortSignal, fn: (db: DBTX) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    const begun = this.#db.query("begin", []);
    let started = false;
    const afterBegin = async <R>(work: Promise<R>): Promise<R> => {
      started = true;
      const [began, result] = await Promise.allSettled([begun, work]);
      if (began.status === "rejected") throw began.reason;
      if (result.status === "rejected") throw result.reason;
      return result.value;
    };
    const db: DBTX = {
      query: (text, values, s) => {
        const q = this.#db.query(text, values, s);
        return started ? q : afterBegin(q);
      },
    };
    try {
      const result = await fn(db);
      if (!started) await afterBegin(Promise.resolve());
      await this.#db.query("commit", []);
      return result;
    } catch (err) {
      await begun.catch(() => {});
      await this.#db.query("rollback", []).catch(() => {});
      throw err;
    }
  }

  /** Calls `onNotify` for every NOTIFY on `channel` (delivered when the notifying tx commits). */
  async listen(channel: string, onNotify: () => void): Promise<void> {
    this.#listening = await this.#sql.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    await this.#listening?.unlisten().catch(() => {});
    this.#conn.release();
    await this.#sql.end({ timeout: 2 });
  }
}
