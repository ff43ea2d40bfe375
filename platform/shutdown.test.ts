import { expect, test } from "bun:test";
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
