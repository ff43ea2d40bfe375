// What the checker compares the history with: the databases and product-mock's own counters,
// read directly (not through the services, whose answers are what is being checked). Also the
// stock reset before a run and the wait for quiescence after the heal.

import { Database } from "../../platform/db/postgres.ts";

export interface StockRow {
  readonly total: number;
  readonly reserved: number;
}

export interface OrderRow {
  readonly id: number;
  readonly user: number;
  readonly status: string;
  readonly items: readonly { sku: number; count: number }[];
}

interface EventRow {
  readonly orderId: number;
  readonly eventId: string;
  readonly status: string;
}

/** Everything read after the run; `before*` was read just before the workload began. */
export interface SystemState {
  readonly stocksBefore: Record<number, StockRow>;
  readonly stocksAfter: Record<number, StockRow>;
  /**
   * Per SKU, Σ counts of every order (any run) awaiting payment, before and now. The seed holds
   * reservations no order stands for (e.g. 35 of 1076963), so reserved is compared by its change.
   */
  readonly awaitingBefore: Record<number, number>;
  readonly awaitingBySku: Record<number, number>;
  /** Every order of this run's users. */
  readonly orders: readonly OrderRow[];
  /** LOMS' outbox rows of those orders, in commit order. */
  readonly outbox: readonly EventRow[];
  /** Stored notifications of those orders, in the order they were stored. */
  readonly notifications: readonly EventRow[];
  /** The run's users' cart lines. */
  readonly carts: readonly { user: number; sku: number; count: number }[];
  /** product-mock's answers by gRPC code, before and after. */
  readonly productBefore: Record<string, number>;
  readonly productAfter: Record<string, number>;
  /** Service processes still not ready after the heal, and what was still outstanding at quiescence's deadline. */
  readonly notReady: readonly string[];
  readonly outstanding: readonly string[];
}

const URLS = {
  loms: "postgres://loms:loms@127.0.0.1:5434/loms",
  cart: "postgres://cart:cart@127.0.0.1:5433/cart",
  notifications: "postgres://notifications:notifications@127.0.0.1:5435/notifications",
};
const PRODUCT_METRICS = "http://127.0.0.1:8083/metrics";

export class StackReader {
  readonly #loms = new Database({ url: URLS.loms, max: 2, applicationName: "chaos-checker" });
  readonly #cart = new Database({ url: URLS.cart, max: 2, applicationName: "chaos-checker" });
  readonly #notes = new Database({ url: URLS.notifications, max: 2, applicationName: "chaos-checker" });

  async close(): Promise<void> {
    await Promise.all([this.#loms.close(), this.#cart.close(), this.#notes.close()]);
  }

  /**
   * Gives every chaos SKU `available` free units (total = reserved + available): the stack's data
   * persists between runs, and paid orders use stock up for good.
   */
  async resetStock(available: Record<number, number>): Promise<void> {
    for (const [sku, units] of Object.entries(available)) {
      await this.#loms.query(
        `insert into stocks (sku, total_count, reserved) values ($1, $2, 0)
         on conflict (sku) do update set total_count = stocks.reserved + $2`,
        [sku, units],
      );
    }
  }

  async stocks(skus: readonly number[]): Promise<Record<number, StockRow>> {
    const { rows } = await this.#loms.query(
      "select sku::int, total_count::int, reserved::int from stocks where sku = any($1::bigint[])",
      [skus.map(String)],
    );
    return Object.fromEntries(rows.map(([sku, total, reserved]) => [sku, { total, reserved }]));
  }

  /** Per SKU, Σ counts of the orders awaiting payment. */
  async awaiting(skus: readonly number[]): Promise<Record<number, number>> {
    const { rows } = await this.#loms.query(
      `select i.sku::int, sum(i.count)::int from orders o join order_items i on i.order_id = o.id
       where o.status = 'awaiting payment' and i.sku = any($1::bigint[]) group by i.sku`,
      [skus.map(String)],
    );
    return Object.fromEntries(rows.map(([sku, n]) => [sku, n]));
  }

  async productCounts(): Promise<Record<string, number>> {
    const text = await (await fetch(PRODUCT_METRICS)).text();
    const counts: Record<string, number> = {};
    for (const line of text.split("\n")) {
      if (!line.startsWith("grpc_server_handled_total{")) continue;
      const code = /grpc_code="([A-Z_]+)"/.exec(line)?.[1];
      if (code) counts[code] = (counts[code] ?? 0) + Number(line.split(" ").pop());
    }
    return counts;
  }

  async orders(users: readonly number[]): Promise<OrderRow[]> {
    const { rows } = await this.#loms.query(
      `select o.id::int, o.user_id::int, o.status,
              coalesce(json_agg(json_build_object('sku', i.sku, 'count', i.count) order by i.sku)
                       filter (where i.sku is not null), '[]')
       from orders o left join order_items i on i.order_id = o.id
       where o.user_id = any($1::bigint[]) group by o.id order by o.id`,
      [users.map(String)],
    );
    return rows.map(([id, user, status, items]) => ({
      id: id as number,
      user: user as number,
      status: status as string,
      items: (typeof items === "string" ? JSON.parse(items) : items) as OrderRow["items"],
    }));
  }

  async read(
    before: Pick<SystemState, "stocksBefore" | "productBefore" | "awaitingBefore">,
    users: readonly number[],
    skus: readonly number[],
  ): Promise<Omit<SystemState, "notReady" | "outstanding">> {
    const orders = await this.orders(users);
    const ids = orders.map((o) => String(o.id));
    const events = async (db: Database, table: string) =>
      (
        await db.query(
          `select order_id::int, event_id::text, status from ${table} where order_id = any($1::bigint[]) order by id`,
          [ids],
        )
      ).rows.map(([orderId, eventId, status]) => ({ orderId, eventId, status }) as EventRow);
    const carts = await this.#cart.query(
      "select user_id::int, sku::int, count from cart_items where user_id = any($1::bigint[]) order by user_id, sku",
      [users.map(String)],
    );
    return {
      ...before,
      stocksAfter: await this.stocks(skus),
      awaitingBySku: await this.awaiting(skus),
      orders,
      outbox: await events(this.#loms, "order_events_outbox"),
      notifications: await events(this.#notes, "notifications"),
      carts: carts.rows.map(([user, sku, count]) => ({ user, sku, count }) as SystemState["carts"][number]),
      productAfter: await this.productCounts(),
    };
  }

  /**
   * Quiescence: no order of the run still awaiting payment (expiry has run), the outbox drained,
   * and every published event of the run's orders stored as a notification (consumer lag 0 for
   * them). Returns what was still outstanding when `timeoutMs` ran out (empty: quiet).
   */
  async waitForQuiescence(users: readonly number[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let outstanding: string[] = [];
    while (Date.now() < deadline) {
      outstanding = await this.#outstanding(users);
      if (outstanding.length === 0) return [];
      await Bun.sleep(1_000);
    }
    return outstanding;
  }

  async #outstanding(users: readonly number[]): Promise<string[]> {
    const left: string[] = [];
    const orders = await this.orders(users);
    const awaiting = orders.filter((o) => o.status === "awaiting payment").length;
    if (awaiting) left.push(`${awaiting} orders awaiting payment`);
    const pending = Number(
      (await this.#loms.query("select count(*) from order_events_outbox where sent_at is null", []))
        .rows[0]?.[0],
    );
    if (pending) left.push(`${pending} outbox rows unsent`);
    const ids = orders.map((o) => String(o.id));
    const count = async (db: Database, table: string) =>
      Number(
        (await db.query(`select count(*) from ${table} where order_id = any($1::bigint[])`, [ids]))
          .rows[0]?.[0],
      );
    const [published, stored] = [
      await count(this.#loms, "order_events_outbox"),
      await count(this.#notes, "notifications"),
    ];
    if (stored < published) left.push(`${published - stored} events not yet notified`);
    return left;
  }
}
