// CPU seconds of every process of the running stack, by name, and of the whole machine: taken
// before and after a load, they say which process spends the CPU per order and whether the
// machine's cores were saturated (then latency is waiting for a core, not for a round trip).
// Processes come from the stack's own pid files (.stack/pids, pgbouncer's and Postgres' own);
// each counts with its descendants (a Postgres server with its backends).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { treeCpuSeconds } from "./cpu.ts";

const STACK = ".stack";

function stackPids(): Map<string, number> {
  const pids = new Map<string, number>();
  const read = (name: string, file: string) => {
    if (!existsSync(file)) return;
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]?.trim());
    if (pid > 0) pids.set(name, pid);
  };
  const dir = join(STACK, "pids");
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) if (f.endsWith(".pid")) read(f.slice(0, -4), join(dir, f));
  }
  for (const kind of ["postgres", "pgbouncer"]) {
    const base = join(STACK, kind);
    if (!existsSync(base)) continue;
    for (const db of readdirSync(base)) {
      read(`${kind}-${db}`, join(base, db, kind === "postgres" ? "postmaster.pid" : "pgbouncer.pid"));
    }
  }
  return pids;
}

export interface CpuSnapshot {
  readonly byProcess: Map<string, number>;
  /** Machine-wide: busy and total CPU seconds over all cores since boot (/proc/stat). */
  readonly busy: number;
  readonly total: number;
}

export function snapshot(): CpuSnapshot {
  const byProcess = new Map<string, number>();
  for (const [name, pid] of stackPids()) {
    const { root, descendants } = treeCpuSeconds(pid);
    if (Number.isFinite(root)) byProcess.set(name, root + descendants);
  }
  // cpu  user nice system idle iowait irq softirq steal … (USER_HZ ticks)
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0) / 100;
  const idle = ((fields[3] ?? 0) + (fields[4] ?? 0)) / 100;
  return { byProcess, busy: total - idle, total };
}

/** Lines: the machine's busy share, then CPU ms per unit of work by process, largest first. */
export function cpuReport(before: CpuSnapshot, after: CpuSnapshot, units: number, unit: string): string[] {
  const cores = after.total - before.total;
  const busy = after.busy - before.busy;
  const rows = [...after.byProcess]
    .map(([name, s]) => [name, s - (before.byProcess.get(name) ?? s)] as const)
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1]);
  const stack = rows.reduce((sum, [, s]) => sum + s, 0);
  const perUnit = (s: number) => `${((s * 1000) / units).toFixed(2)}`;
  return [
    `machine busy ${((100 * busy) / cores).toFixed(0)}% of its cores; stack processes ${perUnit(stack)} CPU ms per ${unit}`,
    ...rows.slice(0, 12).map(([name, s]) => `  ${name.padEnd(26)} ${perUnit(s).padStart(7)} ms per ${unit}`),
  ];
}
