// The golden generated code (testdata/gen) run against a real Postgres (embedded) through the
// services' own DBTX adapter (platform/db/postgres.ts, the `postgres` driver with prepare: false):
// parameters reach Postgres as the types sqlc inferred, and values come back as the types the
// Row interfaces promise.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "../../platform/db/postgres.ts";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "../../platform/dev/embedded-postgres.ts";
import { migrate } from "../../platform/dev/migrate.ts";
import { freePort } from "../../tests/support/free-port.ts";
import * as items from "./testdata/gen/items_sql.ts";
import { listActiveNames } from "./testdata/gen/names_sql.ts";

let dir: string;
let pg: EmbeddedPostgresHandle | undefined;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sqlc-gen-ts-pg-"));
  pg = await startEmbeddedPostgres({ dir, port: await freePort() });
  await pg.createDatabase("fixture");
  await migrate(pg.url("fixture"), join(import.meta.dir, "testdata/migrations"));
  db = new Database({ url: pg.url("fixture"), max: 2, applicationName: "sqlc-gen-ts-test" });
}, 60_000);
afterAll(async () => {
  await db?.close();
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => items.deleteAll(db));

const FULL: items.InsertItemArgs = {
  sku: 9_007_199_254_740_991, // 2^53 − 1: the largest int8 that still comes back exactly
  name: "Кулинар Гуров",
  note: "first edition",
  kind: "book",
  stock: 7,
  rating: 4,
  weight: 0.5,
  price: "2931.50",
  attrs: { pages: 320, tags: ["cooking"], nested: { ok: true } },
  tags: ["a", "b,c", 'quote"d'],
  related: [1, 2, 3],
  photo: new Uint8Array([0, 1, 254, 255]),
  externalId: "7f1c6a52-1d2b-4c3e-9f00-0a1b2c3d4e5f",
  // Midday UTC is the same calendar day in every server time zone; the date comes back as
  // that day's midnight UTC.
  releasedOn: new Date("2024-02-29T12:00:00Z"),
};

// Every nullable column left empty (arrays come back empty, not null).
const NULLS = {
  note: null,
  rating: null,
  weight: null,
  attrs: null,
  tags: [],
  related: null,
  photo: null,
  externalId: null,
  releasedOn: null,
} satisfies Partial<items.InsertItemArgs>;

const EMPTY: items.InsertItemArgs = { ...FULL, sku: 2, name: "bare", kind: "shoe", ...NULLS };

async function insert(args: items.InsertItemArgs): Promise<number> {
  const row = await items.insertItem(db, args);
  if (!row) throw new Error("INSERT ... RETURNING returned no row");
  return row.id;
}

describe(":one", () => {
  test("every mapped type survives a round trip", async () => {
    const before = new Date(Date.now() - 60_000);
    const inserted = await items.insertItem(db, FULL);
    expect(inserted?.id).toBeNumber();
    expect(inserted?.createdAt).toBeInstanceOf(Date);
    expect(inserted?.createdAt.getTime()).toBeGreaterThan(before.getTime());

    const row = await items.getItem(db, { id: inserted?.id ?? 0 });
    expect(row).toEqual({
      ...FULL,
      id: inserted?.id ?? 0,
      active: true,
      photo: expect.any(Uint8Array),
      releasedOn: new Date("2024-02-29T00:00:00Z"),
      createdAt: inserted?.createdAt ?? new Date(0),
    });
    expect([...(row?.photo ?? [])]).toEqual([0, 1, 254, 255]);
  });

  test("NULLs come back as null", async () => {
    const id = await insert(EMPTY);
    expect(await items.getItem(db, { id })).toMatchObject(NULLS);
  });

  test("no row is null", async () => {
    expect(await items.getItem(db, { id: 424242 })).toBeNull();
  });

  test("aggregates, including an unnamed column", async () => {
    await insert(FULL);
    await insert(EMPTY);
    expect(await items.summary(db)).toEqual({ total: 2, maxPrice: "2931.50", sum: 14, column4: 2 });
  });
});

describe(":many", () => {
  test("a bigint[] parameter with ANY, rows in query order", async () => {
    const a = await insert({ ...EMPTY, sku: 30 });
    const b = await insert({ ...EMPTY, sku: 10 });
    await insert({ ...EMPTY, sku: 20 });
    expect(await items.listItemsBySkus(db, { skus: [30, 10, 99] })).toEqual([
      { id: b, sku: 10, name: "bare", note: null },
      { id: a, sku: 30, name: "bare", note: null },
    ]);
    expect(await items.listItemsBySkus(db, { skus: [] })).toEqual([]);
  });

  test("two parameters sqlc named alike go to $1 and $2 in order", async () => {
    const ids = [];
    for (const sku of [1, 2, 3, 4]) ids.push(await insert({ ...EMPTY, sku }));
    expect(await items.listIdsBetween(db, { id: ids[1] ?? 0, id2: ids[2] ?? 0 })).toEqual([
      { id: ids[1] ?? 0 },
      { id: ids[2] ?? 0 },
    ]);
  });

  test("a Date parameter compares as timestamptz", async () => {
    const id = await insert(EMPTY);
    expect(await items.listCreatedAfter(db, { after: new Date(Date.now() - 60_000) })).toEqual([
      { id, createdAt: expect.any(Date) },
    ]);
    expect(await items.listCreatedAfter(db, { after: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  test("a module without int8 columns", async () => {
    await insert({ ...EMPTY, sku: 1, name: "b", tags: ["x"] });
    await insert({ ...EMPTY, sku: 2, name: "a" });
    expect(await listActiveNames(db)).toEqual([
      { name: "a", kind: "shoe", tags: [] },
      { name: "b", kind: "shoe", tags: ["x"] },
    ]);
  });
});

describe(":exec and :execrows", () => {
  test(":execrows returns the number of rows changed", async () => {
    const a = await insert({ ...EMPTY, sku: 1 });
    const b = await insert({ ...EMPTY, sku: 2 });
    expect(await items.setActive(db, { active: false, ids: [a, b, 999] })).toBe(2);
    expect(await items.setActive(db, { active: false, ids: [] })).toBe(0);
    expect(await listActiveNames(db)).toEqual([]);
    expect(await items.delete_(db, { dollar1: 100 })).toBe(2);
  });

  test(":exec with a nullable parameter set to a value and to null", async () => {
    const id = await insert(EMPTY);
    await items.setNote(db, { id, note: "noted" });
    expect((await items.getItem(db, { id }))?.note).toBe("noted");
    await items.setNote(db, { id, note: null });
    expect((await items.getItem(db, { id }))?.note).toBeNull();
  });
});

describe("failures", () => {
  test("an int8 beyond 2^53 − 1 fails instead of coming back rounded", async () => {
    const id = await insert(EMPTY);
    await db.query("UPDATE items SET sku = 9007199254740993 WHERE id = $1", [id]);
    await expect(items.getItem(db, { id })).rejects.toThrow("value 9007199254740993 is not a safe integer");
  });

  test("a NULL where sqlc promised a value fails instead of becoming 0", async () => {
    // sqlc marks sum() NOT NULL, but over no rows it is NULL.
    await expect(items.summary(db)).rejects.toThrow("value null is not a safe integer");
  });

  test("the signal reaches the driver", async () => {
    const reason = new Error("caller gave up");
    await expect(items.getItem(db, { id: 1 }, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
