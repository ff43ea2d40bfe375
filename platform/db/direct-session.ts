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

import postgres from "postgres";
import { type DBTX, run } from "./postgres.ts";

export class DirectSession {
  readonly #sql: postgres.Sql;
  readonly #conn: postgres.ReservedSql;
  readonly #db: DBTX;
  #listening: postgres.ListenMeta | undefined;

  private constructor(sql: postgres.Sql, conn: postgres.ReservedSql) {
    this.#sql = sql;
    this.#conn = conn;
    // No server-side cancel here: its extra connection would race this session's own end, and
    // the statements a session runs are short. Callers stop between statements instead.
    this.#db = {
      query: (text, values, signal) => {
        signal?.throwIfAborted();
        return run(conn, text, values);
      },
    };
  }

  static async open(url: string, applicationName: string): Promise<DirectSession> {
    const sql = postgres(url, {
      prepare: false,
      max: 1,
      connect_timeout: 10,
      onnotice: () => {},
      connection: { application_name: applicationName },
    });
    try {
      return new DirectSession(sql, await sql.reserve());
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

  /** Runs `fn` in a transaction on this session's connection. */
  async inTx<T>(signal: AbortSignal, fn: (db: DBTX) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    await this.#db.query("begin", []);
    try {
      const result = await fn(this.#db);
      await this.#db.query("commit", []);
      return result;
    } catch (err) {
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
