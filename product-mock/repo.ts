// The catalog adapter: products held in memory, SKUs sorted once for cursor paging.

import type { Product } from "./catalog.ts";
import type { Catalog } from "./usecase.ts";

export class MemoryCatalog implements Catalog {
  readonly #sorted: number[];

  constructor(private readonly products: ReadonlyMap<number, Product>) {
    this.#sorted = [...products.keys()].sort((a, b) => a - b);
  }

  get(sku: number): Product | undefined {
    return this.products.get(sku);
  }

  skusAfter(afterSku: number, count: number): number[] {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#sorted[mid] ?? 0) <= afterSku) lo = mid + 1;
      else hi = mid;
    }
    return this.#sorted.slice(lo, lo + count);
  }
}
