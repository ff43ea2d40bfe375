// A real process with an unhandled rejection: it logs the rejection and still answers.

import { expect, test } from "bun:test";

test("an unhandled rejection is logged and the process keeps serving", async () => {
  const child = Bun.spawn([process.execPath, "tests/support/unhandled-rejection-child.ts"], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, LOG_LEVEL: "info" },
  });
  try {
    const reader = child.stdout.getReader();
    let out = "";
    const deadline = Date.now() + 10_000;
    while (!/PORT \d+/.test(out) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    const port = /PORT (\d+)/.exec(out)?.[1];
    expect(port).toBeDefined();
    await Bun.sleep(100);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe("still serving");
    expect(out).toContain("unhandled promise rejection");
    expect(child.exitCode).toBeNull();
    reader.releaseLock();
  } finally {
    child.kill();
    await child.exited;
  }
});
