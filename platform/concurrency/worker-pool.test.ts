// The worker pool's guarantees, with deterministic synchronization (deferred promises).

import { describe, expect, test } from "bun:test";
import { AppError } from "../rpc/errors.ts";
import { BoundedMapper, mapBounded, WorkerPool } from "./worker-pool.ts";

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

  test("a task that throws synchronously rejects and frees its worker (a pool of 1 keeps working)", async () => {
    const pool = new WorkerPool(1);
    const throwsAtOnce = ((): Promise<number> => {
      throw new Error("thrown before any promise");
    }) as (signal: AbortSignal) => Promise<number>;
    await expect(pool.submit(throwsAtOnce, never)).rejects.toThrow("thrown before any promise");
    expect(pool.running).toBe(0);
    expect(await pool.submit(async () => 7, never)).toBe(7);
  });

  test("map settles every aborted sibling before it rejects", async () => {
    const pool = new WorkerPool(3);
    const settled: number[] = [];
    const sibling = (i: number) => (signal: AbortSignal) =>
      new Promise<number>((_resolve, reject) => {
        // Honours the abort, but only a moment later, as a real cancelled call does.
        signal.addEventListener("abort", () =>
          setTimeout(() => {
            settled.push(i);
            reject(signal.reason);
          }, 20),
        );
      });
    const fns = [sibling(0), sibling(1), async () => Promise.reject(AppError.internal("first failure"))];
    await expect(pool.map(fns, (fn, signal) => fn(signal), never)).rejects.toMatchObject({
      code: "INTERNAL",
    });
    expect(settled.sort()).toEqual([0, 1]);
    expect(pool.running).toBe(0);
  });

  test("maxQueue must be a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new WorkerPool(1, bad)).toThrow("maxQueue");
    expect(new WorkerPool(1, 1).maxQueue).toBe(1);
  });
});

describe("mapBounded / BoundedMapper", () => {
  test("at most `limit` items in flight, started in input order, results in input order", async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const out = await new BoundedMapper(3).map(
      [5, 1, 4, 2, 3, 0],
      async (n) => {
        started.push(n);
        running++;
        peak = Math.max(peak, running);
        await Bun.sleep(n);
        running--;
        return n * 10;
      },
      new AbortController().signal,
    );
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(started).toEqual([5, 1, 4, 2, 3, 0]);
    expect(peak).toBe(3);
  });

  test("the first failure rejects and aborts the running siblings; later items never start", async () => {
    const seen: string[] = [];
    const run = mapBounded(
      [0, 1, 2, 3, 4],
      2,
      (n, signal) =>
        new Promise<number>((resolve, reject) => {
          seen.push(`start ${n}`);
          if (n === 1) return reject(new Error("boom"));
          signal.addEventListener("abort", () => {
            seen.push(`aborted ${n}`);
            reject(signal.reason);
          });
          setTimeout(() => resolve(n), 50);
        }),
      new AbortController().signal,
    );
    await expect(run).rejects.toThrow("boom");
    expect(seen).toEqual(["start 0", "start 1", "aborted 0"]);
  });

  test("the parent's abort reaches running items and rejects with its reason", async () => {
    const parent = new AbortController();
    const run = mapBounded(
      [1, 2],
      5,
      (_n, signal) =>
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      parent.signal,
    );
    parent.abort(new Error("client went away"));
    await expect(run).rejects.toThrow("client went away");
  });

  test("WorkerPool.map with a per-call limit leaves room in the shared pool for another caller", async () => {
    const pool = new WorkerPool(4);
    const order: string[] = [];
    const task = (tag: string) => async (n: number) => {
      order.push(`${tag}${n}`);
      await Bun.sleep(5);
      return n;
    };
    const never = new AbortController().signal;
    const big = pool.map([1, 2, 3, 4, 5, 6], task("big"), never, 2);
    const small = pool.map([1, 2], task("small"), never, 2);
    await Promise.all([big, small]);
    // The small listing's items start while the big one still has items waiting.
    expect(order.indexOf("small1")).toBeLessThan(order.indexOf("big3"));
    await pool.close();
  });
});
