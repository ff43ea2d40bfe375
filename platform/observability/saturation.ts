// Saturation gauges for pools, read at scrape time: how much of a pool is in use and how much
// work waits for it. The runtime's own saturation (event-loop lag, CPU) comes with the default
// process metrics in metrics.ts.

import { Gauge, type Registry } from "prom-client";

export interface PoolStats {
  readonly size: number;
  readonly inUse: number;
  readonly waiting: number;
}

/** `<kind>_pool_{size,in_use,waiting}{pool="<name>"}`, one set per kind and registry. */
export function observePool(
  registry: Registry,
  kind: "db" | "worker",
  name: string,
  stats: () => PoolStats,
): void {
  const gauge = (field: keyof PoolStats, metric: string, help: string) =>
    new Gauge({
      name: `${kind}_pool_${metric}`,
      help,
      labelNames: ["pool"] as const,
      registers: [registry],
      collect() {
        this.set({ pool: name }, stats()[field]);
      },
    });
  gauge("size", "size", `Capacity of the ${kind} pool.`);
  gauge("inUse", "in_use", `Members of the ${kind} pool busy now.`);
  gauge("waiting", "waiting", `Work queued for a free member of the ${kind} pool.`);
}
