// Checkout is idempotent end to end: concurrent checkouts of one cart make one order, and a
// checkout whose caller gives up right after LOMS committed, then retries, still makes one.
// Real gateway, real gRPC to a real LOMS, real Postgres; LOMS' stock shows how much was reserved.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { GrpcLoms } from "../cart/loms-client.ts";
import { cartMetrics } from "../cart/metrics.ts";
import type { OrderService } from "../cart/ports.ts";
import { PgCartRepo } from "../cart/repo.ts";
import { CartUsecase } from "../cart/usecase.ts";
import { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import { WorkerPool } from "../platform/concurrency/worker-pool.ts";
import { createGrpcClient, type GrpcClient } from "../platform/grpc/client.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { codeOf } from "./support/code-of.ts";
import { lomsGateway } from "./support/loms.ts";
import { useServiceDatabase } from "./support/postgres.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
let lomsClient: GrpcClient<typeof LomsService>;
const cartDb = useServiceDatabase("cart");
beforeAll(async () => {
  sys = await startTestSystem();
  lomsClient = createGrpcClient(LomsService, { address: `127.0.0.1:${sys.ports.loms.grpc}` });
}, 60_000);
afterAll(async () => {
  lomsClient?.close();
  await sys?.destroy();
});

const loms = lomsGateway(() => sys.lomsUrl);

test("eight concurrent checkouts of one cart make exactly one order and one reservation", async () => {
  const sku = 1148162; // 300 available
  const before = await loms.available(sku);
  expect((await http("POST", `${sys.cartUrl}/user/71/cart/${sku}`, { count: 2 })).status).toBe(200);

  const replies = await Promise.all(
    Array.from({ length: 8 }, () => http("POST", `${sys.cartUrl}/checkout/71`)),
  );
  // Each answers either the one order (200) or, once the cart is cleared, an empty cart (404).
  for (const r of replies) expect([200, 404]).toContain(r.status);
  const ids = new Set(
    replies.filter((r) => r.status === 200).map((r) => (r.body as { order_id: number }).order_id),
  );
  expect(ids.size).toBe(1);
  expect(await loms.available(sku)).toBe(before - 2);
  expect((await http("GET", `${sys.cartUrl}/user/71/cart`)).status).toBe(404);
}, 30_000);

/** A cart use case on a real cart database and the real LOMS, with a hook after LOMS answers. */
function checkoutWith(after: (orderId: number, abort: (reason: AppError) => void) => void) {
  const real = new GrpcLoms(lomsClient);
  const controller = new AbortController();
  const abort = (reason: AppError) => controller.abort(reason);
  const orders: OrderService = {
    create: async (...args: Parameters<OrderService["create"]>) => {
      const id = await real.create(...args);
      after(id, abort);
      return id;
    },
  };
  const usecase = new CartUsecase(
    new PgCartRepo(cartDb()),
    { get: async () => null },
    real,
    orders,
    new WorkerPool(2),
    cartMetrics(new Registry()),
  );
  return { usecase, ctx: { signal: controller.signal } };
}

test("a checkout cancelled right after LOMS committed, then retried, makes one order", async () => {
  const sku = 2618151; // 300 available
  const before = await loms.available(sku);
  const repo = new PgCartRepo(cartDb());
  expect(await repo.add({ signal: new AbortController().signal }, 72, { sku, count: 3 }, 1000)).toBe(true);

  // The caller gives up as LOMS commits: the response never reaches the use case.
  const lost = checkoutWith((_id, abort) => {
    const reason = new AppError("CANCELLED", "client closed the connection");
    abort(reason);
    throw reason;
  });
  expect(await codeOf(lost.usecase.checkout(lost.ctx, 72))).toBe("CANCELLED");

  const retry = checkoutWith(() => {});
  const orderId = await retry.usecase.checkout(retry.ctx, 72);
  expect(orderId).toBeGreaterThan(0);
  expect(await loms.available(sku)).toBe(before - 3);
  expect(await repo.list({ signal: new AbortController().signal }, 72)).toEqual([]);
}, 30_000);

test("a checkout whose deadline passes once LOMS answered still clears the cart; a retry orders nothing", async () => {
  const sku = 2958025; // 300 available
  const before = await loms.available(sku);
  const repo = new PgCartRepo(cartDb());
  expect(await repo.add({ signal: new AbortController().signal }, 73, { sku, count: 4 }, 1000)).toBe(true);

  // The deadline passes right after LOMS answered: the cleanup runs on its own context anyway.
  const late = checkoutWith((_id, abort) => abort(new AppError("DEADLINE_EXCEEDED", "deadline exceeded")));
  // LOMS answered before the deadline passed: the order stands and the caller gets it.
  const orderId = await late.usecase.checkout(late.ctx, 73);
  expect(orderId).toBeGreaterThan(0);
  expect(await loms.status(orderId)).toBe("awaiting payment");
  // The cleanup ran on its own context despite the passed deadline: the cart is empty...
  expect(await repo.list({ signal: new AbortController().signal }, 73)).toEqual([]);

  // ...so a retry has nothing to order, and the stock shows the one order's reservation only.
  const retry = checkoutWith(() => {});
  expect(await codeOf(retry.usecase.checkout(retry.ctx, 73))).toBe("NOT_FOUND");
  expect(await loms.available(sku)).toBe(before - 4);
}, 30_000);
