import { describe, expect, test } from "bun:test";
import { backgroundCtx, sleep, withTimeout } from "./context.ts";
import { createContextKey, getValue, withValue } from "./context-values.ts";
import { AppError } from "./errors.ts";

const tokenKey = createContextKey<string | undefined>(undefined, "token");

describe("withTimeout", () => {
  test("aborts with DEADLINE_EXCEEDED when the time is up", async () => {
    const { ctx, dispose } = withTimeout(backgroundCtx(), 10);
    await new Promise((r) => ctx.signal.addEventListener("abort", r));
    expect((ctx.signal.reason as AppError).code).toBe("DEADLINE_EXCEEDED");
    expect((ctx.signal.reason as AppError).message).toContain("10 ms timeout");
    dispose();
  });

  test("aborts with the parent's reason when the parent aborts first", () => {
    const parent = new AbortController();
    const { ctx, dispose } = withTimeout(withValue({ signal: parent.signal }, tokenKey, "t"), 60_000);
    const reason = new AppError("CANCELLED", "client left");
    parent.abort(reason);
    expect(ctx.signal.reason).toBe(reason);
    expect(getValue(ctx, tokenKey)).toBe("t");
    dispose();
  });

  test("keeps the parent's deadline when it is earlier", () => {
    const deadline = Date.now() + 1000;
    const { ctx, dispose } = withTimeout({ signal: new AbortController().signal, deadline }, 60_000);
    expect(ctx.deadline).toBe(deadline);
    dispose();
  });

  test("dispose stops the timer", async () => {
    const { ctx, dispose } = withTimeout(backgroundCtx(), 5);
    dispose();
    await sleep(20);
    expect(ctx.signal.aborted).toBe(false);
  });
});

describe("sleep", () => {
  test("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(AppError.unavailable("stop"));
    await expect(pending).rejects.toMatchObject({ code: "UNAVAILABLE" });
    await expect(sleep(1, controller.signal)).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
