import { expect, test } from "bun:test";
import { freePort } from "../tests/support/free-port.ts";
import { createLogger } from "./observability/logger.ts";
import { runSteps } from "./shutdown.ts";

test("every step runs in order, even after one fails", async () => {
  const ran: string[] = [];
  await runSteps(createLogger("shutdown-test"), [
    { name: "servers", run: () => void ran.push("servers") },
    {
      name: "loop",
      run: async () => {
        ran.push("loop");
        throw new Error("loop failed to stop");
      },
    },
    { name: "pool", run: async () => void ran.push("pool") },
  ]);
  expect(ran).toEqual(["servers", "loop", "pool"]);
});

/** Spawns a process and reads its stdout until `marker` appears. */
async function spawnUntil(cmd: string[], env: Record<string, string>, marker: RegExp) {
  const child = Bun.spawn(cmd, { stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  const reader = child.stdout.getReader();
  let out = "";
  const deadline = Date.now() + 20_000;
  while (!marker.test(out) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { child, out };
}

test("a failed shutdown step makes the process exit 1", async () => {
  const { child } = await spawnUntil(
    [process.execPath, "tests/support/failing-shutdown-child.ts"],
    {},
    /READY/,
  );
  child.kill("SIGTERM");
  expect(await child.exited).toBe(1);
});

test("SIGTERM: readiness turns 503 while the service still answers, then it stops and exits 0", async () => {
  const port = await freePort();
  const { child } = await spawnUntil(
    [process.execPath, "product-mock/main.ts"],
    {
      PRODUCT_MOCK_HTTP_PORT: String(port),
      PRODUCT_MOCK_GRPC_PORT: String(await freePort()),
      SHUTDOWN_PRE_STOP_MS: "1500",
      LOG_LEVEL: "info",
    },
    /product-mock started/,
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    child.kill("SIGTERM");
    await Bun.sleep(300);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const served = await fetch(`${base}/get_product`, {
      method: "POST",
      body: JSON.stringify({ token: "testtoken", sku: 1076963 }),
    });
    expect(served.status).toBe(200);
    expect(await child.exited).toBe(0);
  } finally {
    child.kill("SIGKILL");
  }
}, 30_000);
