// The fault-injection helpers' view of whether a process still runs.

import { expect, test } from "bun:test";
import { alive } from "./stack.ts";

// Under a PID 1 that does not reap orphans (many containers), a killed stack process stays a
// zombie: it answers signal 0, so a wait for its death never ended and a heal never started.
test("a zombie — dead, not yet reaped — is not alive", async () => {
  // bash starts `sleep 0.1` and becomes `sleep 30`, which never waits for it: once it exits,
  // that grandchild stays a zombie until the test kills its parent.
  const parent = Bun.spawn(["bash", "-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdout: "pipe" });
  const reader = parent.stdout.getReader();
  const zombie = Number(new TextDecoder().decode((await reader.read()).value).trim());
  try {
    await Bun.sleep(400);
    expect(alive(parent.pid)).toBe(true);
    expect(alive(zombie)).toBe(false);
  } finally {
    parent.kill("SIGKILL");
  }
});
