// The bench seed: stock for the first few thousand generated catalog SKUs (product-mock's
// catalog.ts), so that carts of 30+ distinct items can be benchmarked. Not part of the default
// seed; loaded on demand, once per database (a seed_runs claim named "bench").
//   bun scripts/seed-bench.ts [database-url] [sku-count]
// The default URL is the stack's LOMS Postgres (direct, not through pgbouncer).

import { loadSeedOnce } from "../loms/seed.ts";
import { Database } from "../platform/db/postgres.ts";
import { seedBenchRows } from "./bench/seed-rows.ts";

export async function seedBench(databaseUrl: string, count = 3000): Promise<boolean> {
  const db = new Database({ url: databaseUrl, max: 1, applicationName: "seed-bench" });
  try {
    return await loadSeedOnce(db, "bench", seedBenchRows(count), AbortSignal.timeout(60_000));
  } finally {
    await db.close();
  }
}

if (import.meta.main) {
  const [url = "postgres://loms:loms@127.0.0.1:5434/loms", count = "3000"] = process.argv.slice(2);
  const loaded = await seedBench(url, Number(count));
  console.log(loaded ? `bench seed loaded: ${count} SKUs` : "bench seed was already loaded");
}
