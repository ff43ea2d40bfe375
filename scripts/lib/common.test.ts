// The stack scripts' shared shell helpers, run by bash as the scripts run them.

import { expect, test } from "bun:test";
import { createServer } from "node:net";

// A port that accepts connections and never answers: each curl inside the wait takes its whole
// --max-time, as a service stuck in start-up does.
test("wait_for_http gives up after its timeout in seconds, however long each probe takes", async () => {
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const port = (silent.address() as { port: number }).port;
  try {
    const started = performance.now();
    const child = Bun.spawn(
      [
        "bash",
        "-c",
        `source scripts/lib/common.sh; wait_for_http http://127.0.0.1:${port}/ silent /dev/null 3`,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const code = await child.exited;
    const seconds = (performance.now() - started) / 1000;
    expect(code).not.toBe(0);
    expect(await new Response(child.stderr).text()).toContain("within 3s");
    // Counting probes instead of seconds took 15 × (2 s probe + 0.2 s) = 33 s here.
    expect(seconds).toBeLessThan(8);
  } finally {
    silent.close();
  }
}, 60_000);
