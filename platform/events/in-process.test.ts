import { expect, test } from "bun:test";
import { createLogger } from "../observability/logger.ts";
import type { Delivery } from "./bus.ts";
import { inProcessBus, partitionOf } from "./in-process.ts";

const logger = createLogger("bus-test");
const signal = new AbortController().signal;
const msg = (key: string, value: string) => ({ key, value, headers: { "event-id": value } });

async function until(check: () => boolean, timeoutMs = 3_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}

test("one key's messages arrive in publish order, with headers; keys spread over partitions", async () => {
  const bus = inProcessBus(logger, 4);
  const seen: Delivery[] = [];
  const sub = await bus.subscribe({ topic: "t", group: "g", handler: async (d) => void seen.push(d) });
  for (let i = 0; i < 50; i++) await bus.publish("t", [msg(String(i % 5), `v${i}`)], signal);
  await until(() => seen.length === 50);
  for (let k = 0; k < 5; k++) {
    const mine = seen.filter((d) => d.key === String(k));
    expect(mine.map((d) => d.value)).toEqual(Array.from({ length: 10 }, (_, j) => `v${k + 5 * j}`));
    expect(new Set(mine.map((d) => d.partition)).size).toBe(1);
  }
  expect(seen[0]?.headers).toEqual({ "event-id": seen[0]?.value ?? "" });
  expect(new Set(seen.map((d) => d.partition)).size).toBeGreaterThan(1);
  await sub.stop();
});

test("a failing handler gets the same message again, never the next one, until it succeeds", async () => {
  const bus = inProcessBus(logger, 1);
  const attempts: string[] = [];
  let failuresLeft = 3;
  const sub = await bus.subscribe({
    topic: "t",
    group: "g",
    handler: async (d) => {
      attempts.push(d.value);
      if (d.value === "a" && failuresLeft-- > 0) throw new Error("database down");
    },
  });
  await bus.publish("t", [msg("k", "a"), msg("k", "b")], signal);
  await until(() => attempts.includes("b"));
  expect(attempts).toEqual(["a", "a", "a", "a", "b"]);
  await sub.stop();
});

test("a stopped group resumes after its last handled message; a group consumes a topic once per process", async () => {
  const bus = inProcessBus(logger, 2);
  const seen: string[] = [];
  const handler = async (d: Delivery) => void seen.push(d.value);
  const first = await bus.subscribe({ topic: "t", group: "g", handler });
  await expect(bus.subscribe({ topic: "t", group: "g", handler })).rejects.toThrow("already consumes");
  await bus.publish("t", [msg("x", "1")], signal);
  await until(() => seen.length === 1);
  await first.stop();
  await bus.publish("t", [msg("x", "2")], signal);
  const second = await bus.subscribe({ topic: "t", group: "g", handler });
  await until(() => seen.length === 2);
  expect(seen).toEqual(["1", "2"]);
  await second.stop();
  await bus.ping(signal);
  await bus.close();
});

test("partitionOf is stable and within range", () => {
  expect(partitionOf("42", 6)).toBe(partitionOf("42", 6));
  for (let i = 0; i < 100; i++) expect(partitionOf(String(i), 6)).toBeLessThan(6);
});
