// The orders-by-status gauge against a real Postgres: /metrics can be scraped as often as
// anyone likes (several Prometheus servers, a curl loop) without each scrape running a
// GROUP BY over every order; the count is read at most once per refresh interval, concurrent
// scrapes share one read, and a scrape after the interval sees new orders.

import { beforeAll, expect, test } from "bun:test";
import { Registry } from "prom-client";
import type { DBTX } from "../platform/db/postgres.ts";
import { useServiceDatabase } from "../tests/support/postgres.ts";
import { observeOrders } from "./metrics.ts";

const database = useServiceDatabase("loms");
let groupBys = 0;
let counting: DBTX;
beforeAll(() => {
  const db = database();
  counting = {
    query: (text, values, signal) => {
      if (/group by status/i.test(text)) groupBys++;
      return db.query(text, values, signal);
    },
  };
});

async function addOrder(status: string) {
  await database().query("insert into orders (user_id, status) values (1, $1)", [status]);
}

const awaiting = (text: string) =>
  Number(/loms_orders\{status="awaiting payment"\} (\d+)/.exec(text)?.[1] ?? Number.NaN);

test("many scrapes, concurrent and in a row, read the orders once per refresh interval", async () => {
  await addOrder("awaiting payment");
  await addOrder("payed");
  const registry = new Registry();
  const refreshMs = 400;
  observeOrders(registry, counting, refreshMs);

  const concurrent = await Promise.all(Array.from({ length: 10 }, () => registry.metrics()));
  for (const text of concurrent) expect(awaiting(text)).toBe(1);
  for (let i = 0; i < 20; i++) expect(awaiting(await registry.metrics())).toBe(1);
  expect(groupBys).toBe(1);

  await addOrder("awaiting payment");
  await Bun.sleep(refreshMs + 50);
  expect(awaiting(await registry.metrics())).toBe(2);
  expect(groupBys).toBe(2);
});
