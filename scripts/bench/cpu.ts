// Server CPU time of a process tree (Linux /proc): utime + stime of the process the bench
// started and every descendant (embedded Postgres' postmaster and backends), plus cutime +
// cstime, because a backend that exits mid-run hands its time to its parent's cutime. Summing
// the tree as it is before a load and again (re-listed) after it gives the load's CPU with no
// gap, as the Go-peer comparison (../shared/peer-bench/side-by-side.sh) measures it.

import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_S = 100; // USER_HZ: 100 on every Linux ABI Bun and Deno ship for

interface Stat {
  readonly ppid: number;
  readonly ticks: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // exited while we looked
  }
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return { ppid: Number(fields[1]), ticks };
}

export interface TreeCpu {
  /** The root process's own seconds (the runtime hosting the services). */
  readonly root: number;
  /** Its descendants' seconds (embedded Postgres). */
  readonly descendants: number;
}

/** CPU seconds used so far by `root` and by its descendants; NaN where /proc is absent. */
export function treeCpuSeconds(root: number): TreeCpu {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return { root: Number.NaN, descendants: Number.NaN };
  }
  const stats = new Map<number, Stat>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let ticks = 0;
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    ticks += stats.get(pid)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  const own = stats.get(root)?.ticks;
  if (own === undefined) return { root: Number.NaN, descendants: Number.NaN };
  return { root: own / TICKS_PER_S, descendants: ticks / TICKS_PER_S };
}
