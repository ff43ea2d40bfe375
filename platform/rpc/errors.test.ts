import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  AppError,
  Code,
  codeFromNumber,
  codeToNumber,
  fromDependency,
  hasCode,
  httpStatusOf,
} from "./errors.ts";

describe("codes", () => {
  test("every code round-trips through its gRPC number", () => {
    for (const code of Object.values(Code)) expect(codeFromNumber(codeToNumber(code))).toBe(code);
    expect(codeToNumber("INVALID_ARGUMENT")).toBe(3);
    expect(codeToNumber("UNAUTHENTICATED")).toBe(16);
    expect(codeFromNumber(0)).toBe("UNKNOWN"); // OK is not an error
    expect(codeFromNumber(99)).toBe("UNKNOWN");
  });

  test("HTTP statuses follow DESIGN's table (and the README's superset), every code", () => {
    // DESIGN's rows, then the superset the README documents for what DESIGN calls "others".
    const table: Record<Code, number> = {
      INVALID_ARGUMENT: 400,
      UNAUTHENTICATED: 401,
      NOT_FOUND: 404,
      FAILED_PRECONDITION: 412,
      RESOURCE_EXHAUSTED: 429,
      UNAVAILABLE: 503,
      DEADLINE_EXCEEDED: 504,
      OUT_OF_RANGE: 400,
      PERMISSION_DENIED: 403,
      ALREADY_EXISTS: 409,
      ABORTED: 409,
      CANCELLED: 499,
      UNIMPLEMENTED: 501,
      INTERNAL: 500,
      UNKNOWN: 500,
      DATA_LOSS: 500,
    };
    expect(Object.keys(table).sort()).toEqual(Object.values(Code).sort());
    for (const code of Object.values(Code)) expect([code, httpStatusOf(code)]).toEqual([code, table[code]]);
  });

  test("the README's status table is the code's", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    // The table under the "| code | HTTP |" header, up to the first line that is not a row.
    const table = readme.slice(readme.search(/^\| code +\| HTTP /m)).split(/\n(?!\|)/)[0] ?? "";
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` +\| (\d{3}) /gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows.map(([code]) => code).sort()).toEqual(Object.values(Code).sort());
    for (const [code, status] of rows) expect([code, httpStatusOf(code as Code)]).toEqual([code, status]);
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

describe("fromDependency", () => {
  test("keeps the caller's cancellation and the dependency's contract; the rest is not the caller's", () => {
    const of = (code: Code, contract: Code[] = []) =>
      fromDependency(new AppError(code, "x"), "dep", contract).code;
    expect(of("CANCELLED")).toBe("CANCELLED");
    expect(of("DEADLINE_EXCEEDED")).toBe("DEADLINE_EXCEEDED");
    expect(of("UNAVAILABLE")).toBe("UNAVAILABLE");
    expect(of("RESOURCE_EXHAUSTED")).toBe("UNAVAILABLE");
    expect(of("UNAUTHENTICATED")).toBe("INTERNAL");
    expect(of("INVALID_ARGUMENT")).toBe("INTERNAL");
    expect(of("UNAUTHENTICATED", ["UNAUTHENTICATED"])).toBe("UNAUTHENTICATED");
    const wrapped = fromDependency(new AppError("PERMISSION_DENIED", "secret detail"), "dep");
    expect(wrapped.detail).toBe("dep failed (PERMISSION_DENIED)");
    expect((wrapped.cause as AppError).detail).toBe("secret detail");
  });
});
