// Stock rows for the first `count` generated catalog SKUs: plenty of units, nothing reserved.

import type { SeedRow } from "../../loms/seed.ts";
import { generatedSkus } from "../../product-mock/catalog.ts";

export function seedBenchRows(count: number): SeedRow[] {
  return generatedSkus(count).map((sku) => ({ sku, total_count: 1_000_000, reserved: 0 }));
}
