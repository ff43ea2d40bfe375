// Fault injection on the real stack: SIGKILL a process by its pid file (.stack/pids, written
// by the stack scripts — never by name), and bring it back with the same scripts.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const PIDS = ".stack/pids";

function pidOf(name: string): number {
  return Number(readFileSync(`${PIDS}/${name}.pid`, "utf8").trim());
}

/**
 * Whether a process with this pid runs. Signal 0 delivers nothing but answers for a zombie too:
 * a process killed and not yet reaped (under a PID 1 that does not reap orphans it never is)
 * counts as gone.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false; // gone between the signal and the read
  }
}

/** Whether the stack process `name` (as its pid file names it) is still running. */
export function running(name: string): boolean {
  return alive(pidOf(name));
}

/** SIGKILLs the stack process `name` and waits until it is gone. */
export async function sigkill(name: string): Promise<void> {
  const pid = pidOf(name);
  if (!alive(pid)) throw new Error(`${name} (pid ${pid}) is not running`);
  process.kill(pid, "SIGKILL");
  while (alive(pid)) await Bun.sleep(20);
}

/**
 * Starts a killed process again: a Kafka broker through stack-up.sh (idempotent: it starts only
 * what is not running), a service through `stack-run.sh NAME`. Both wait until it is ready.
 */
export function restart(name: string): void {
  const [script, args] = restartCommand(name);
  const run = spawnSync(script, args, { encoding: "utf8", timeout: 180_000 });
  if (run.status !== 0) throw new Error(`restarting ${name} failed:\n${run.stdout}\n${run.stderr}`);
}

/** restart() without blocking this process: its own clients keep working (and retrying) meanwhile. */
export async function restartInBackground(name: string): Promise<void> {
  const [script, args] = restartCommand(name);
  const child = Bun.spawn([script, ...args], { stdout: "pipe", stderr: "pipe" });
  const [status, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  if (status !== 0) throw new Error(`restarting ${name} failed:\n${stdout}\n${stderr}`);
}

function restartCommand(name: string): [string, string[]] {
  return name.startsWith("kafka-") ? ["scripts/stack-up.sh", []] : ["scripts/stack-run.sh", [name]];
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(200);
  }
}
