// Stops a child process this test or script started (by its own handle, never by name) and
// resolves when it has exited.

import type { ChildProcess } from "node:child_process";

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}
