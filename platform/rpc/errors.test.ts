import { describe, expect, test } from "bun:test";
import { AppError, Code, codeFromNumber, codeToNumber, hasCode, httpStatusOf } from "./errors.ts";

describe("codes", () => {
  test("every code round-trips through its gRPC number", () => {
    for (const code of Object.values(Code)) expect(codeFromNumber(codeToNumber(code))).toBe(code);
    expect(codeToNumber("INVALID_ARGUMENT")).toBe(3);
    expect(codeToNumber("UNAUTHENTICATED")).toBe(16);
    expect(codeFromNumber(0)).toBe("UNKNOWN"); // OK is not an error
    expect(codeFromNumber(99)).toBe("UNKNOWN");
  });

  test("HTTP statuses follow DESIGN's table", () => {
    const table: [Code, number][] = [
      ["INVALID_ARGUMENT", 400],
      ["UNAUTHENTICATED", 401],
      ["NOT_FOUND", 404],
      ["FAILED_PRECONDITION", 412],
      ["RESOURCE_EXHAUSTED", 429],
      ["UNAVAILABLE", 503],
      ["DEADLINE_EXCEEDED", 504],
      ["INTERNAL", 500],
      ["UNKNOWN", 500],
      ["DATA_LOSS", 500],
    ];
    for (const [code, status] of table) expect([code, httpStatusOf(code)]).toEqual([code, status]);
  });
});

describe("AppError.from", () => {
  test("keeps an AppError as it is, with the code in its message", () => {
    const err = AppError.notFound("order 5 not found");
    expect(AppError.from(err)).toBe(err);
    expect(err.message).toBe("NOT_FOUND: order 5 not found");
    expect(err.detail).toBe("order 5 not found");
    expect(hasCode(err, "NOT_FOUND")).toBe(true);
  });

  test("hides an unknown error's text behind INTERNAL and keeps it as the cause", () => {
    const raw = new Error('duplicate key value violates "orders_pkey" (SELECT secret)');
    const err = AppError.from(raw);
    expect(err.code).toBe("INTERNAL");
    expect(err.detail).toBe("internal error");
    expect(err.message).not.toContain("secret");
    expect(err.cause).toBe(raw);
    expect(AppError.from("a string").code).toBe("INTERNAL");
  });

  test("an abort carries its AppError reason, or becomes CANCELLED", () => {
    const reason = new AppError("DEADLINE_EXCEEDED", "deadline exceeded");
    const aborted = new DOMException("aborted", "AbortError");
    Object.defineProperty(aborted, "cause", { value: reason });
    expect(AppError.from(aborted)).toBe(reason);
    expect(AppError.from(new DOMException("aborted", "AbortError")).code).toBe("CANCELLED");
  });
});
