// Loads the stock seed (sql/loms/seed/stocks.json) exactly once per database: the claim and the
// insert share a transaction, so a crash in between leaves neither and the next start retries.

import { readFile } from "node:fs/promises";
import * as s from "../gen/sql/loms/stocks_sql.ts";
import type { Database } from "../platform/db/postgres.ts";

export interface SeedRow {
  readonly sku: number;
  readonly total_count: number;
  readonly reserved: number;
}

export async function seedStocksOnce(db: Database, file: string, signal: AbortSignal): Promise<boolean> {
  return loadSeedOnce(db, "stocks", parseSeed(await readFile(file, "utf8"), file), signal);
}

/** Loads `rows` the first time `name` is claimed in this database; false when already loaded. */
export function loadSeedOnce(db: Database, name: string, rows: readonly SeedRow[], signal: AbortSignal) {
  return db.withTx(signal, async (tx) => {
    if ((await s.claimSeed(tx, { name }, signal)) === 0) return false;
    await s.insertStocks(
      tx,
      {
        skus: rows.map((r) => r.sku),
        totals: rows.map((r) => r.total_count),
        reserved: rows.map((r) => r.reserved),
      },
      signal,
    );
    return true;
  });
}

function parseSeed(text: string, file: string): SeedRow[] {
  const data: unknown = JSON.parse(text);
  const valid =
    Array.isArray(data) &&
    data.every(
      (r) =>
        Number.isSafeInteger(r?.sku) &&
        r.sku > 0 &&
        Number.isSafeInteger(r.total_count) &&
        r.total_count >= 0 &&
        Number.isSafeInteger(r.reserved) &&
        r.reserved >= 0,
    );
  if (!valid) throw new Error(`${file}: expected [{sku, total_count, reserved}] with non-negative integers`);
  return data as SeedRow[];
}
