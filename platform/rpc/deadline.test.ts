import { describe, expect, test } from "bun:test";
import { sleep } from "./context.ts";
import { linkDeadline } from "./deadline.ts";
import { AppError } from "./errors.ts";

const reasonOf = (signal: AbortSignal) => signal.reason as AppError;

describe("linkDeadline", () => {
  test("the earliest limit wins and the reason names it", async () => {
    const now = Date.now();
    const linked = linkDeadline(undefined, [
      { at: now + 60_000, source: "service default" },
      { at: now + 10, source: "grpc-timeout" },
      { at: undefined, source: "unset" },
    ]);
    expect(linked.deadline).toBe(now + 10);
    await new Promise((r) => linked.signal.addEventListener("abort", r));
    expect(reasonOf(linked.signal).code).toBe("DEADLINE_EXCEEDED");
    expect(reasonOf(linked.signal).message).toContain("grpc-timeout");
    linked.dispose();
  });

  test("the parent aborting first passes its reason on", () => {
    const parent = new AbortController();
    const linked = linkDeadline(parent.signal, [{ at: Date.now() + 60_000, source: "gateway timeout" }]);
    parent.abort(new AppError("CANCELLED", "client closed the connection"));
    expect(reasonOf(linked.signal).code).toBe("CANCELLED");
    linked.dispose();
  });

  test("an already aborted parent aborts at once; no limits means no deadline", () => {
    const parent = new AbortController();
    parent.abort(AppError.unavailable("gone"));
    const linked = linkDeadline(parent.signal, []);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.deadline).toBeUndefined();
    linked.dispose();
  });

  test("dispose stops the timer and unlinks the parent", async () => {
    const parent = new AbortController();
    const linked = linkDeadline(parent.signal, [{ at: Date.now() + 5, source: "t" }]);
    linked.dispose();
    parent.abort();
    await sleep(20);
    expect(linked.signal.aborted).toBe(false);
  });
});
