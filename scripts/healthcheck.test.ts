// The container HEALTHCHECK script against a real service: healthy while /readyz is 200,
// unhealthy when readiness fails, and a clear error when the port variable is ambiguous.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { createLogger } from "../platform/observability/logger.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { type RunningService, startService } from "../platform/service.ts";

let ready = true;
let svc: RunningService;
beforeAll(async () => {
  svc = await startService({
    name: "healthcheck-test",
    logger: createLogger("healthcheck-test"),
    host: "127.0.0.1",
    httpPort: 0,
    readiness: () => {
      if (!ready) throw AppError.unavailable("database down");
    },
  });
});
afterAll(() => svc?.stop(100));

// Asynchronous: the service answering /readyz lives in this very process.
async function check(ports: Record<string, string>) {
  const run = Bun.spawn(["node_modules/.bin/bun", "scripts/healthcheck.ts"], {
    env: { PATH: process.env.PATH ?? "", ...ports },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: await run.exited, stderr: await new Response(run.stderr).text() };
}

test("exit 0 while ready, 1 with the reason when not", async () => {
  const up = await check({ CART_HTTP_PORT: String(svc.httpPort) });
  expect(up.stderr).toBe("");
  expect(up.code).toBe(0);
  ready = false;
  const down = await check({ CART_HTTP_PORT: String(svc.httpPort) });
  ready = true;
  expect(down.code).toBe(1);
  expect(down.stderr).toContain("database down");
});

test("refuses to guess between several port variables", async () => {
  const both = await check({ CART_HTTP_PORT: String(svc.httpPort), LOMS_HTTP_PORT: "1" });
  expect(both.code).toBe(1);
  expect(both.stderr).toContain("expected one *_HTTP_PORT variable");
});
