// The worker pool's guarantees, with deterministic synchronization (deferred promises).

import { describe, expect, test } from "bun:test";
import { AppError } from "../rpc/errors.ts";
import { WorkerPool } from "./worker-pool.ts";

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const never = new AbortController().signal;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("WorkerPool", () => {
  test("runs at most `size` tasks at once, starting them in submission order", async () => {
    const pool = new WorkerPool(2);
    const gates = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const results = gates.map((gate, i) =>
      pool.submit(async () => {
        started.push(i);
        maxRunning = Math.max(maxRunning, ++running);
        await gate.promise;
        running--;
        return i;
      }, never),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(pool.queued).toBe(3);
    gates[1]?.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(maxRunning).toBe(2);
    expect(pool.running).toBe(0);
  });

  test("a queued task whose signal aborts never starts and rejects with the reason", async () => {
    const pool = new WorkerPool(1);
    const gate = deferred();
    const first = pool.submit(() => gate.promise, never);
    const controller = new AbortController();
    let ran = false;
    const second = pool.submit(async () => {
      ran = true;
    }, controller.signal);
    controller.abort(AppError.unavailable("gone"));
    await expect(second).rejects.toMatchObject({ code: "UNAVAILABLE" });
    gate.resolve();
    await first;
    await tick();
    expect(ran).toBe(false);
  });

  test("a full queue refuses with RESOURCE_EXHAUSTED; a failing task frees its worker", async () => {
    const pool = new WorkerPool(1, 1);
    const gate = deferred();
    const running = pool.submit(() => gate.promise, never);
    const queued = pool.submit(async () => "queued", never);
    await expect(pool.submit(async () => "x", never)).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
    gate.reject(new Error("task failed"));
    await expect(running).rejects.toThrow("task failed");
    expect(await queued).toBe("queued");
  });

  test("map keeps input order; the first failure rejects map and aborts the siblings", async () => {
    const pool = new WorkerPool(3);
    expect(await pool.map([3, 1, 2], async (n) => n * 10, never)).toEqual([30, 10, 20]);

    const siblingAborted = deferred<unknown>();
    const failing = pool.map(
      [0, 1, 2, 3],
      async (n, signal) => {
        if (n === 0) {
          await tick();
          throw AppError.notFound("item 0");
        }
        await new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            siblingAborted.resolve(signal.reason);
            reject(signal.reason);
          }),
        );
        return n;
      },
      never,
    );
    await expect(failing).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(((await siblingAborted.promise) as AppError).code).toBe("NOT_FOUND");
  });

  test("close rejects queued tasks and waits for running ones", async () => {
    const pool = new WorkerPool(1);
    const gate = deferred();
    let finished = false;
    const running = pool.submit(async () => {
      await gate.promise;
      finished = true;
    }, never);
    const queued = pool.submit(async () => "never", never);
    const closed = pool.close();
    await expect(queued).rejects.toMatchObject({ code: "UNAVAILABLE" });
    await expect(pool.submit(async () => 1, never)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    gate.resolve();
    await closed;
    await running;
    expect(finished).toBe(true);
  });

  test("rejects a non-positive size", () => {
    expect(() => new WorkerPool(0)).toThrow();
  });
});
