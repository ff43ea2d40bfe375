// The cart repository against a real Postgres (embedded).

import { beforeAll, expect, test } from "bun:test";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { useServiceDatabase } from "../tests/support/postgres.ts";
import { PgCartRepo } from "./repo.ts";

const database = useServiceDatabase("cart");
let repo: PgCartRepo;
const ctx = backgroundCtx();

beforeAll(() => {
  repo = new PgCartRepo(database());
});

test("an empty cart lists nothing", async () => {
  expect(await repo.list(ctx, 1)).toEqual([]);
});

test("adds sum per sku, list is sorted by sku, other users are separate", async () => {
  expect(await repo.add(ctx, 2, { sku: 30, count: 1 }, 100)).toBe(true);
  expect(await repo.add(ctx, 2, { sku: 10, count: 2 }, 100)).toBe(true);
  expect(await repo.add(ctx, 2, { sku: 30, count: 4 }, 100)).toBe(true);
  expect(await repo.add(ctx, 3, { sku: 10, count: 9 }, 100)).toBe(true);
  expect(await repo.list(ctx, 2)).toEqual([
    { sku: 10, count: 2 },
    { sku: 30, count: 5 },
  ]);
});

test("an add that would exceed maxTotal is refused and changes nothing", async () => {
  expect(await repo.add(ctx, 4, { sku: 10, count: 6 }, 5)).toBe(false);
  expect(await repo.list(ctx, 4)).toEqual([]);
  expect(await repo.add(ctx, 4, { sku: 10, count: 5 }, 5)).toBe(true);
  expect(await repo.add(ctx, 4, { sku: 10, count: 1 }, 5)).toBe(false);
  expect(await repo.list(ctx, 4)).toEqual([{ sku: 10, count: 5 }]);
});

test("concurrent adds never push a line past maxTotal", async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, () => repo.add(ctx, 5, { sku: 10, count: 1 }, 20)),
  );
  expect(results.filter(Boolean).length).toBe(20);
  expect(await repo.list(ctx, 5)).toEqual([{ sku: 10, count: 20 }]);
});

test("remove deletes one line (absent is fine); clear deletes the user's cart only", async () => {
  await repo.add(ctx, 6, { sku: 1, count: 1 }, 10);
  await repo.add(ctx, 6, { sku: 2, count: 1 }, 10);
  await repo.add(ctx, 7, { sku: 1, count: 1 }, 10);
  await repo.remove(ctx, 6, 1);
  await repo.remove(ctx, 6, 1);
  expect(await repo.list(ctx, 6)).toEqual([{ sku: 2, count: 1 }]);
  await repo.clear(ctx, 6);
  expect(await repo.list(ctx, 6)).toEqual([]);
  expect(await repo.list(ctx, 7)).toEqual([{ sku: 1, count: 1 }]);
});

test("completeCheckout removes what the order holds: a grown line keeps the difference", async () => {
  await repo.add(ctx, 8, { sku: 1, count: 2 }, 10);
  await repo.add(ctx, 8, { sku: 2, count: 3 }, 10);
  const { key, lines: ordered } = await repo.beginCheckout(ctx, 8);
  await repo.add(ctx, 8, { sku: 2, count: 1 }, 10); // grew while "checkout" ran
  await repo.add(ctx, 8, { sku: 3, count: 1 }, 10); // added while "checkout" ran
  await repo.completeCheckout(ctx, { userId: 8, key, orderId: 501, ordered });
  expect(await repo.list(ctx, 8)).toEqual([
    { sku: 2, count: 1 },
    { sku: 3, count: 1 },
  ]);
});

test("a line that shrank below the order's count is removed, never driven to zero or below", async () => {
  await repo.add(ctx, 11, { sku: 1, count: 5 }, 10);
  const { key } = await repo.beginCheckout(ctx, 11);
  await repo.remove(ctx, 11, 1);
  await repo.add(ctx, 11, { sku: 1, count: 2 }, 10);
  await repo.completeCheckout(ctx, { userId: 11, key, orderId: 502, ordered: [{ sku: 1, count: 5 }] });
  expect(await repo.list(ctx, 11)).toEqual([]);
});

test("a checkout key stays until its checkout completes; an order's lines are removed once", async () => {
  await repo.add(ctx, 9, { sku: 1, count: 2 }, 10);
  const first = await repo.beginCheckout(ctx, 9);
  expect(first.lines).toEqual([{ sku: 1, count: 2 }]);
  expect((await repo.beginCheckout(ctx, 9)).key).toBe(first.key);
  expect((await repo.beginCheckout(ctx, 10)).key).not.toBe(first.key);
  await repo.completeCheckout(ctx, { userId: 9, key: first.key, orderId: 503, ordered: first.lines });
  const next = await repo.beginCheckout(ctx, 9);
  expect(next.key).not.toBe(first.key);
  expect(next.lines).toEqual([]);
  // A late repeat of the completed order removes nothing the user added since.
  await repo.add(ctx, 9, { sku: 1, count: 2 }, 10);
  await repo.completeCheckout(ctx, { userId: 9, key: first.key, orderId: 503, ordered: first.lines });
  expect(await repo.list(ctx, 9)).toEqual([{ sku: 1, count: 2 }]);
  expect((await repo.beginCheckout(ctx, 9)).key).toBe(next.key);
});

test("two orders from one key's lifetime each remove their own lines, whatever the order", async () => {
  // One checkout made order 504 of {1}; a retry on the changed cart spent the key and made 505
  // of {1, 2}. Both clean up after the key was replaced: both removals still happen.
  await repo.add(ctx, 12, { sku: 1, count: 1 }, 10);
  const { key } = await repo.beginCheckout(ctx, 12);
  await repo.add(ctx, 12, { sku: 2, count: 1 }, 10);
  await repo.add(ctx, 12, { sku: 1, count: 1 }, 10);
  await repo.abandonCheckout(ctx, 12, key);
  const retry = await repo.beginCheckout(ctx, 12);
  expect(retry.key).not.toBe(key);
  await repo.completeCheckout(ctx, { userId: 12, key: retry.key, orderId: 505, ordered: retry.lines });
  await repo.completeCheckout(ctx, { userId: 12, key, orderId: 504, ordered: [{ sku: 1, count: 1 }] });
  expect(await repo.list(ctx, 12)).toEqual([]);
});

test("abandonCheckout replaces the key only while it is current and removes nothing", async () => {
  await repo.add(ctx, 13, { sku: 1, count: 1 }, 10);
  const first = await repo.beginCheckout(ctx, 13);
  await repo.abandonCheckout(ctx, 13, first.key);
  const second = await repo.beginCheckout(ctx, 13);
  expect(second.key).not.toBe(first.key);
  await repo.abandonCheckout(ctx, 13, first.key); // stale: the current key stays
  expect((await repo.beginCheckout(ctx, 13)).key).toBe(second.key);
  expect(await repo.list(ctx, 13)).toEqual([{ sku: 1, count: 1 }]);
});

test("the count > 0 CHECK holds for raw SQL", async () => {
  await expect(
    database().query("insert into cart_items (user_id, sku, count) values (1, 1, 0)", []),
  ).rejects.toThrow();
});
