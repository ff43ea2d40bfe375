import { expect, test } from "bun:test";
import { ConfigError, envBool, envInt, envList, envString } from "./config.ts";

test("defaults apply when a variable is unset or empty", () => {
  expect(envString({}, "A", "x")).toBe("x");
  expect(envString({ A: "" }, "A", "x")).toBe("x");
  expect(envInt({}, "N", 5)).toBe(5);
  expect(envList({}, "L", ["a"])).toEqual(["a"]);
  expect(envBool({}, "B", true)).toBe(true);
});

test("values are parsed", () => {
  expect(envInt({ N: "8082" }, "N", 0)).toBe(8082);
  expect(envList({ L: " a, b ,,c " }, "L", [])).toEqual(["a", "b", "c"]);
  expect(envBool({ B: "false" }, "B", true)).toBe(false);
  expect(envBool({ B: "YES" }, "B", false)).toBe(true);
});

test("bad values fail fast naming the variable", () => {
  expect(() => envInt({ PORT: "80a" }, "PORT", 1)).toThrow(ConfigError);
  expect(() => envInt({ PORT: "80a" }, "PORT", 1)).toThrow(/PORT/);
  expect(() => envInt({ RPS: "0" }, "RPS", 1, 1)).toThrow(/RPS must be an integer >= 1/);
  expect(() => envBool({ FLAG: "maybe" }, "FLAG", true)).toThrow(/FLAG/);
});
