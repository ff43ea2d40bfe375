import { expect, test } from "bun:test";
import { createLogger } from "../observability/logger.ts";
import { acknowledgedOf, type Delivery, PublishError } from "./bus.ts";
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

/** Settles to "resolved" or "rejected", or stays "pending". */
function track(promise: Promise<unknown>) {
  const state = { now: "pending" as "pending" | "resolved" | "rejected" };
  promise.then(
    () => {
      state.now = "resolved";
    },
    () => {
      state.now = "rejected";
    },
  );
  return state;
}

/** A promise handlers wait on until the test calls `release`. */
function gated() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { gate, release };
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
  expect(seen).toEqual(["1"]); // acknowledged means handled
  await first.stop();
  const publishing = bus.publish("t", [msg("x", "2")], signal);
  const second = await bus.subscribe({ topic: "t", group: "g", handler });
  await publishing;
  expect(seen).toEqual(["1", "2"]);
  await second.stop();
  await bus.ping(signal);
  await bus.close();
});

test("publish resolves only once every group committed the batch; a stopped group holds it back", async () => {
  const bus = inProcessBus(logger, 3);
  const { gate, release } = gated();
  const fast: string[] = [];
  const slow: string[] = [];
  const a = await bus.subscribe({ topic: "t", group: "fast", handler: async (d) => void fast.push(d.value) });
  const b = await bus.subscribe({
    topic: "t",
    group: "slow",
    handler: async (d) => {
      await gate;
      slow.push(d.value);
    },
  });
  const batch = ["1", "2", "3", "4", "5", "6"].map((v) => msg(v, v));
  const published = track(bus.publish("t", batch, signal));
  await until(() => fast.length === 6);
  await Bun.sleep(50);
  expect(published.now).toBe("pending"); // the slow group has not committed yet
  release();
  await until(() => published.now === "resolved");
  expect(slow.sort()).toEqual(["1", "2", "3", "4", "5", "6"]);
  expect(bus.retained("t")).toBe(0); // every group committed everything: nothing kept
  await b.stop();
  const next = track(bus.publish("t", [msg("7", "7")], signal));
  await until(() => fast.length === 7);
  await Bun.sleep(50);
  expect(next.now).toBe("pending"); // a stopped group is still a group: its lag counts
  const again = await bus.subscribe({
    topic: "t",
    group: "slow",
    handler: async (d) => void slow.push(d.value),
  });
  await until(() => next.now === "resolved");
  await a.stop();
  await again.stop();
});

test("with no group nothing is acknowledged; a resend after a timeout joins the message, delivered once", async () => {
  const bus = inProcessBus(logger, 2);
  const timedOut = bus.publish("t", [msg("k", "a"), msg("k", "b")], AbortSignal.timeout(50));
  await expect(timedOut).rejects.toThrow();
  expect(bus.retained("t")).toBe(2);
  const seen: string[] = [];
  const { gate, release } = gated();
  const sub = await bus.subscribe({
    topic: "t",
    group: "g",
    handler: async (d) => {
      await gate;
      seen.push(d.value);
    },
  });
  // A slow consumer: the relay's publish times out again, and its resend joins the same messages.
  await expect(bus.publish("t", [msg("k", "a"), msg("k", "b")], AbortSignal.timeout(50))).rejects.toThrow();
  const resent = track(bus.publish("t", [msg("k", "a"), msg("k", "b")], signal));
  release();
  await until(() => resent.now === "resolved");
  expect(seen).toEqual(["a", "b"]);
  expect(bus.retained("t")).toBe(0);
  await sub.stop();
});

test("a publish that times out reports what every group had committed by then", async () => {
  const bus = inProcessBus(logger, 6);
  const slowKey = "slow";
  const { gate, release } = gated();
  const sub = await bus.subscribe({
    topic: "t",
    group: "g",
    handler: async (d) => {
      if (d.key === slowKey) await gate;
    },
  });
  const others = Array.from({ length: 12 }, (_, i) => String(i)).filter(
    (k) => partitionOf(k, 6) !== partitionOf(slowKey, 6),
  );
  const batch = [msg(slowKey, "s"), ...others.map((k) => msg(k, `v${k}`))];
  const failed = await bus.publish("t", batch, AbortSignal.timeout(300)).catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(PublishError);
  expect([...acknowledgedOf(failed)].sort((a, b) => a - b)).toEqual(others.map((_, i) => i + 1));
  release();
  await sub.stop();
});

test("the log is trimmed as groups commit, also under a steady stream", async () => {
  const bus = inProcessBus(logger, 1);
  let handled = 0;
  const sub = await bus.subscribe({ topic: "t", group: "g", handler: async () => void handled++ });
  const publishes = Array.from({ length: 3_000 }, (_, i) => bus.publish("t", [msg("k", `m${i}`)], signal));
  await Promise.all(publishes);
  expect(handled).toBe(3_000);
  expect(bus.retained("t")).toBe(0);
  await sub.stop();
});

test("partitionOf is stable and within range", () => {
  expect(partitionOf("42", 6)).toBe(partitionOf("42", 6));
  for (let i = 0; i < 100; i++) expect(partitionOf(String(i), 6)).toBeLessThan(6);
});
