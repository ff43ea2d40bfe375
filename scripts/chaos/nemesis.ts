// The chaos nemesis: at random (seeded) moments it injects a fault into a real process of the
// stack, holds it for a few seconds, and heals it through the stack scripts — the same pid files
// and start commands an operator uses. Faults overlap (up to `maxConcurrent` at once), but never
// two on one part, and never so many that the system's own fault model is exceeded: one Kafka
// broker of three (min.insync.replicas=2), one LOMS replica of two, one cart of two, one
// notifications member of three — beyond that, unavailability is the correct answer, not a
// finding.

import { readFileSync } from "node:fs";
import { alive } from "../../tests/support/stack.ts";
import type { Fault, FaultKind } from "./history.ts";

const PIDS = ".stack/pids";

interface FaultPlan {
  readonly kind: FaultKind;
  readonly targets: readonly string[];
  /** Parts sharing a group are never faulted together (one broker, one LOMS... at a time). */
  readonly group: string;
}

const PLANS: readonly FaultPlan[] = [
  { kind: "kill-broker", targets: ["kafka-1", "kafka-2", "kafka-3"], group: "kafka" },
  { kind: "pause-broker", targets: ["kafka-1", "kafka-2", "kafka-3"], group: "kafka" },
  { kind: "kill-loms", targets: ["loms", "loms-2"], group: "loms" },
  {
    kind: "kill-notifications",
    targets: ["notifications-1", "notifications-2", "notifications-3"],
    group: "notes",
  },
  { kind: "kill-cart", targets: ["cart", "cart-2"], group: "cart" },
  { kind: "kill-redis", targets: ["redis-6379", "redis-6380"], group: "redis" },
  {
    kind: "restart-postgres",
    targets: ["postgres-cart", "postgres-loms", "postgres-notifications"],
    group: "pg",
  },
  {
    kind: "kill-pgbouncer",
    targets: ["pgbouncer-cart", "pgbouncer-loms", "pgbouncer-notifications"],
    group: "pg",
  },
];

export interface NemesisConfig {
  readonly random: () => number;
  readonly clock: () => number;
  readonly maxConcurrent: number;
  /** Pause between fault starts, and how long a fault is held (ms). */
  readonly gapMs: readonly [number, number];
  readonly holdMs: readonly [number, number];
  /** Fault kinds to draw from (all by default). */
  readonly kinds?: readonly FaultKind[];
  readonly log: (line: string) => void;
}

export async function runNemesis(
  config: NemesisConfig,
  until: () => boolean,
  faults: Fault[],
): Promise<void> {
  const { random } = config;
  const between = ([lo, hi]: readonly [number, number]) => lo + random() * (hi - lo);
  const plans = PLANS.filter((p) => !config.kinds || config.kinds.includes(p.kind));
  const busy = new Set<string>();
  const running: Promise<void>[] = [];
  while (!until()) {
    await Bun.sleep(between(config.gapMs));
    if (until()) break;
    if (busy.size >= config.maxConcurrent) continue;
    const free = plans.filter((p) => !busy.has(p.group));
    const plan = free[Math.floor(random() * free.length)];
    if (!plan) continue;
    const target = plan.targets[Math.floor(random() * plan.targets.length)] as string;
    const hold = between(config.holdMs);
    busy.add(plan.group);
    running.push(
      oneFault(plan.kind, target, hold, config)
        .then((fault) => {
          faults.push(fault);
        })
        .finally(() => busy.delete(plan.group)),
    );
  }
  await Promise.all(running);
}

async function oneFault(
  kind: FaultKind,
  target: string,
  holdMs: number,
  config: NemesisConfig,
): Promise<Fault> {
  const start = config.clock();
  config.log(`fault ${kind} ${target} for ${Math.round(holdMs)} ms`);
  await inject(kind, target);
  await Bun.sleep(holdMs);
  // A heal that fails (a restart timing out while another part is down) is logged, and the final
  // healAll() tries again: the run goes on rather than leaving the stack half down.
  await heal(kind, target).catch((err: Error) =>
    config.log(`heal of ${kind} ${target} failed: ${err.message}`),
  );
  const end = config.clock();
  config.log(`healed ${kind} ${target} after ${end - start} ms`);
  return { kind, target, start, end };
}

async function inject(kind: FaultKind, target: string): Promise<void> {
  switch (kind) {
    case "pause-broker":
      return signal(pidFile(target), "SIGSTOP");
    case "restart-postgres":
      // SIGQUIT is Postgres' immediate shutdown: no checkpoint, crash recovery on the next start.
      return signal(`.stack/postgres/${target.replace("postgres-", "")}/postmaster.pid`, "SIGQUIT", true);
    case "kill-pgbouncer":
      return signal(`.stack/pgbouncer/${target.replace("pgbouncer-", "")}/pgbouncer.pid`, "SIGKILL", true);
    default:
      return signal(pidFile(target), "SIGKILL", true);
  }
}

/** Brings the part back and waits until it is ready again. */
async function heal(kind: FaultKind, target: string): Promise<void> {
  if (kind === "pause-broker") return signal(pidFile(target), "SIGCONT");
  const service = /^(loms|cart|notifications)/.test(target);
  await script(service ? "scripts/stack-run.sh" : "scripts/stack-up.sh", [target]);
}

const pidFile = (name: string) => `${PIDS}/${name}.pid`;

function readPid(file: string): number | null {
  try {
    return Number(readFileSync(file, "utf8").split("\n")[0]?.trim());
  } catch {
    return null;
  }
}

async function signal(file: string, sig: NodeJS.Signals, waitGone = false): Promise<void> {
  const pid = readPid(file);
  if (!pid || !alive(pid)) return;
  process.kill(pid, sig);
  const deadline = Date.now() + 30_000;
  while (waitGone && alive(pid) && Date.now() < deadline) await Bun.sleep(20);
}

/** Runs a stack script; one that has not finished within `timeoutMs` is killed and fails. */
async function script(path: string, args: string[], timeoutMs = 120_000): Promise<void> {
  const child = Bun.spawn([path, ...args], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [status, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]).finally(() => clearTimeout(timer));
  if (status !== 0) throw new Error(`${path} ${args.join(" ")} failed (${status}):\n${out}\n${err}`);
}

/** Every service process of the chaos stack, as stack-run.sh names them. */
const SERVICES = [
  "product-mock",
  "loms",
  "loms-2",
  "cart",
  "cart-2",
  "notifications-1",
  "notifications-2",
  "notifications-3",
];

/**
 * Heals everything that may still be down — every broker continued, every part started — and
 * returns what is still not ready `readyMs` after: a process that is running but never ready
 * again (a pool wedged by a fault) is a finding, so it is reported, not restarted.
 */
export async function healAll(readyMs: number): Promise<string[]> {
  for (const id of [1, 2, 3]) await signal(pidFile(`kafka-${id}`), "SIGCONT");
  const notReady: string[] = [];
  await script("scripts/stack-up.sh", []).catch((err: Error) =>
    notReady.push(`infrastructure: ${firstLine(err)}`),
  );
  for (const name of SERVICES)
    await script("scripts/stack-run.sh", [name], readyMs).catch(() =>
      notReady.push(`${name} not ready ${readyMs / 1000} s after the heal`),
    );
  return notReady;
}

const firstLine = (err: Error) => err.message.split("\n")[0] ?? "";
