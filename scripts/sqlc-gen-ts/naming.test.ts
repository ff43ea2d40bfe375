import { describe, expect, test } from "bun:test";
import { binding, camel, pascal, uniqueNames } from "./naming.ts";

describe("camel", () => {
  test("snake_case and PascalCase become camelCase", () => {
    expect(camel("user_id")).toBe("userId");
    expect(camel("GetOrderForUpdate")).toBe("getOrderForUpdate");
    expect(camel("max_total")).toBe("maxTotal");
  });

  test("anything else becomes a valid identifier", () => {
    expect(camel("dollar_1")).toBe("dollar1");
    expect(camel("1st")).toBe("_1st");
    expect(camel("")).toBe("_");
    expect(camel("a-b c")).toBe("aBC");
  });

  test("reserved words stay as they are: they are valid property names", () => {
    expect(camel("default")).toBe("default");
  });
});

test("pascal names the query's types", () => {
  expect(pascal("reserve_stock")).toBe("ReserveStock");
  expect(pascal("Delete")).toBe("Delete");
});

test("binding escapes what cannot name a module-level function", () => {
  expect(binding("Delete")).toBe("delete_");
  expect(binding("Await")).toBe("await_");
  expect(binding("GetOrder")).toBe("getOrder");
});

test("uniqueNames suffixes repeats without taking a name sqlc gave", () => {
  expect(uniqueNames(["id", "id"])).toEqual(["id", "id2"]);
  expect(uniqueNames(["id", "id", "id2", "id"])).toEqual(["id", "id3", "id2", "id4"]);
  expect(uniqueNames(["a", "b"])).toEqual(["a", "b"]);
});
