// `make stack-status` on the running stack (the integration phase has brought it up): every part
// the scripts started is listed as running and answering, with its log, and the exit code says so.

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";

test("stack-status lists every part of the running stack as running and healthy", () => {
  const run = spawnSync("make", ["--no-print-directory", "stack-status"], { encoding: "utf8" });
  const rows = run.stdout.trim().split("\n").slice(1);
  const parts = rows.map((r) => r.split(/\s+/)[0]);
  expect(parts).toEqual([
    "postgres-cart",
    "pgbouncer-cart",
    "postgres-loms",
    "pgbouncer-loms",
    "postgres-notifications",
    "pgbouncer-notifications",
    "redis-6379",
    "redis-6380",
    "kafka-1",
    "kafka-2",
    "kafka-3",
    "prometheus",
    "jaeger",
    "zipkin",
    "product-mock",
    "loms",
    "cart",
    "notifications-1",
    "notifications-2",
    "notifications-3",
  ]);
  const unhealthy = rows.filter((r) => !/ running +\d+ (open|ready) +\.stack\//.test(r));
  expect(unhealthy).toEqual([]);
  expect(run.status).toBe(0);
});
