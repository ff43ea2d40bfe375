// The start-up helper every main uses: on stop the servers close first, then background work
// ends, then what the service opened closes newest first; a bus handed in stays its owner's;
// readiness fails while a dependency does not answer.

import { expect, test } from "bun:test";
import type { EventBus } from "./events/bus.ts";
import { readinessOf, serviceKit } from "./service-kit.ts";

const tracing = { endpoint: "", zipkinEndpoint: "", sampleRatio: 1 };

test("stop closes the servers, then ends background work, then closes what was opened, newest first", async () => {
  const kit = serviceKit("kit-test", tracing);
  const events: string[] = [];
  const server = await kit.serve({ host: "127.0.0.1", httpPort: 0 });
  const url = `http://127.0.0.1:${server.httpPort}/healthz`;
  const serving = async () =>
    (await fetch(url)
      .then((r) => r.ok)
      .catch(() => false)) === true;
  expect(await serving()).toBe(true);
  kit.onStop(async () => {
    events.push(`opened first; serving: ${await serving()}`);
  });
  kit.onStop(() => {
    events.push("opened second");
  });
  kit.background(
    (signal) =>
      new Promise<void>((resolve) =>
        signal.addEventListener("abort", () =>
          setTimeout(() => {
            events.push("background ended");
            resolve();
          }, 20),
        ),
      ),
  );
  await server.stop();
  expect(events).toEqual(["background ended", "opened second", "opened first; serving: false"]);
});

test("a bus handed in is returned as it is and left to its owner to close", async () => {
  const kit = serviceKit("kit-test", tracing);
  let closed = false;
  const given = {
    close: async () => {
      closed = true;
    },
  } as unknown as EventBus;
  expect(kit.bus(["127.0.0.1:1"], given)).toBe(given);
  const server = await kit.serve({ host: "127.0.0.1", httpPort: 0 });
  await server.stop();
  expect(closed).toBe(false);
});

test("readiness fails while any dependency fails its ping, and passes the 2 s bound down", async () => {
  const signals: AbortSignal[] = [];
  const up = { ping: async (signal: AbortSignal) => void signals.push(signal) };
  const down = {
    ping: async () => {
      throw new Error("connection refused");
    },
  };
  await expect(readinessOf(up, up)()).resolves.toBeUndefined();
  expect(signals).toHaveLength(2);
  expect(signals[0]?.aborted).toBe(false);
  await expect(readinessOf(up, down)()).rejects.toThrow("connection refused");
});
