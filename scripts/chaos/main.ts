// `make chaos`: the workload and the nemesis at once on the running stack (scripts/chaos.sh
// brings it up with deploy/env/chaos.env and the extra replicas), then heal, quiescence, the
// checker, and the report: .chaos/<run>/ holds history.jsonl, faults.jsonl, state.json,
// results.json and timeline.svg. Exit status 1 when an invariant fails.
//
//   CHAOS_DURATION=180 CHAOS_SEED=7 bun scripts/chaos/main.ts
//   bun scripts/chaos/main.ts --check .chaos/<run>    (check a recorded run again, no stack)

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { check } from "./checker.ts";
import { type Fault, type FaultKind, type Op, readJsonl, seededRandom, writeJsonl } from "./history.ts";
import { healAll, runNemesis } from "./nemesis.ts";
import { summaryTable, timelineSvg } from "./report.ts";
import { StackReader, type SystemState } from "./state.ts";
import { runWorkload } from "./workload.ts";

/** Stocked SKUs: four small stocks that run out and contend, one deep one. Units free at start. */
const STOCK: Record<number, number> = {
  1076963: 150,
  1148162: 150,
  2958025: 150,
  773297411: 150,
  1625903: 5000,
};
/** Catalog SKUs with no stock: each add is an uncached product look-up, spending the budget. */
const UNSTOCKED = Array.from({ length: 4000 }, (_, i) => 900_000_000 + (i + 1) * 7919);
const SKUS = Object.keys(STOCK).map(Number);

const env = (name: string, raw: string | undefined, fallback: number) => {
  const value = Number(raw ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};

const RECOVERY_MS = env("CHAOS_RECOVERY_MS", process.env.CHAOS_RECOVERY_MS, 15_000);

function report(dir: string, history: Op[], faults: Fault[], state: SystemState, title: string): boolean {
  const results = check(history, faults, state, { recoveryMs: RECOVERY_MS, skus: SKUS });
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, "timeline.svg"), timelineSvg(history, faults, title));
  console.log(`\n${summaryTable(results, history, faults)}\n`);
  console.log(`history, faults, state, results and timeline.svg in ${dir}`);
  return results.every((r) => r.ok);
}

async function run(): Promise<boolean> {
  const seed = env("CHAOS_SEED", process.env.CHAOS_SEED, Math.floor(Math.random() * 1_000_000));
  const durationMs = env("CHAOS_DURATION", process.env.CHAOS_DURATION, 180) * 1000;
  const users = env("CHAOS_USERS", process.env.CHAOS_USERS, 12);
  const kinds = process.env.CHAOS_FAULTS?.split(",").filter(Boolean) as FaultKind[] | undefined;
  const dir = join(".chaos", `${new Date().toISOString().replace(/[:.]/g, "-")}-seed-${seed}`);
  mkdirSync(dir, { recursive: true });
  console.log(`chaos: seed ${seed}, ${durationMs / 1000} s, ${users} users → ${dir}`);

  const reader = new StackReader();
  try {
    await reader.resetStock(STOCK);
    const before = {
      stocksBefore: await reader.stocks(SKUS),
      awaitingBefore: await reader.awaiting(SKUS),
      productBefore: await reader.productCounts(),
    };
    // Users new to this run: the checker reads their carts and orders only.
    const firstUser = (Math.floor(Date.now() / 1000) % 10_000_000) * 100 + 1;
    const t0 = Date.now();
    const clock = () => Date.now() - t0;
    const until = () => clock() >= durationMs;
    const history: Op[] = [];
    const faults: Fault[] = [];
    const log = (line: string) => console.log(`[${(clock() / 1000).toFixed(1)}s] ${line}`);
    await Promise.all([
      runWorkload(
        {
          carts: [
            { name: "cart", url: "http://127.0.0.1:8082" },
            { name: "cart-2", url: "http://127.0.0.1:8092" },
          ],
          loms: [
            { name: "loms", url: "http://127.0.0.1:8084" },
            { name: "loms-2", url: "http://127.0.0.1:8094" },
          ],
          users,
          firstUser,
          timeoutMs: env("CHAOS_CLIENT_TIMEOUT_MS", process.env.CHAOS_CLIENT_TIMEOUT_MS, 5_000),
          skus: SKUS,
          unstockedSkus: UNSTOCKED,
          // The workload's and the nemesis' draws come from separate streams of one seed.
          random: seededRandom(seed * 2 + 1),
          clock,
        },
        until,
        history,
      ),
      runNemesis(
        {
          random: seededRandom(seed * 2),
          clock,
          maxConcurrent: 2,
          gapMs: [3_000, 10_000],
          holdMs: [2_000, 10_000],
          kinds,
          log,
        },
        until,
        faults,
      ),
    ]);
    log(`workload done: ${history.length} operations; healing everything`);
    // Recorded before the heal: a run that cannot heal still leaves its history.
    writeJsonl(join(dir, "history.jsonl"), history);
    writeJsonl(join(dir, "faults.jsonl"), faults);
    const notReady = await healAll(env("CHAOS_READY_S", process.env.CHAOS_READY_S, 60) * 1000);
    log(notReady.length ? `healed, but not ready: ${notReady.join("; ")}` : "healed; waiting for quiescence");
    const runUsers = Array.from({ length: users }, (_, i) => firstUser + i);
    const outstanding = await reader.waitForQuiescence(
      runUsers,
      env("CHAOS_QUIESCE_S", process.env.CHAOS_QUIESCE_S, 120) * 1000,
    );
    log(outstanding.length ? `not quiet: ${outstanding.join(", ")}` : "quiet");
    const state = { ...(await reader.read(before, runUsers, SKUS)), notReady, outstanding };
    writeFileSync(join(dir, "state.json"), `${JSON.stringify(state)}\n`);
    return report(dir, history, faults, state, `chaos seed ${seed}, ${durationMs / 1000} s`);
  } finally {
    await reader.close();
  }
}

async function recheck(dir: string): Promise<boolean> {
  const history = readJsonl<Op>(join(dir, "history.jsonl"));
  const faults = readJsonl<Fault>(join(dir, "faults.jsonl"));
  const recorded = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as Partial<SystemState>;
  const state = { notReady: [], outstanding: [], awaitingBefore: {}, ...recorded } as SystemState;
  return report(dir, history, faults, state, `chaos run ${dir}`);
}

if (import.meta.main) {
  const at = process.argv.indexOf("--check");
  const ok = at > 0 ? await recheck(process.argv[at + 1] ?? "") : await run();
  process.exit(ok ? 0 : 1);
}
