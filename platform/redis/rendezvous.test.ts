// Rendezvous hashing: an even split, the same answer whatever the shard order, and adding a
// shard moves only about its share of the keys.

import { expect, test } from "bun:test";
import { rendezvousIndex } from "./rendezvous.ts";

const keys = Array.from({ length: 20_000 }, (_, i) => `product:${900_000_000 + i * 7919}`);
const owner = (key: string, ids: string[]) => ids[rendezvousIndex(key, ids)];

test("keys split evenly over 2 and 3 shards (within 5% of the fair share)", () => {
  for (const ids of [
    ["127.0.0.1:6379", "127.0.0.1:6380"],
    ["127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"],
  ]) {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(owner(k, ids) ?? "", (counts.get(owner(k, ids) ?? "") ?? 0) + 1);
    for (const id of ids)
      expect(Math.abs((counts.get(id) ?? 0) / keys.length - 1 / ids.length)).toBeLessThan(0.05);
  }
});

test("the owner does not depend on the configured order", () => {
  const a = ["h:1", "h:2", "h:3"];
  const b = ["h:3", "h:1", "h:2"];
  for (const k of keys.slice(0, 1000)) expect(owner(k, a)).toBe(owner(k, b));
});

test("adding a third shard moves only the keys it now owns (about a third)", () => {
  const two = ["h:1", "h:2"];
  const three = [...two, "h:3"];
  let moved = 0;
  for (const k of keys) {
    const after = owner(k, three);
    if (after !== owner(k, two)) {
      moved++;
      expect(after).toBe("h:3");
    }
  }
  expect(Math.abs(moved / keys.length - 1 / 3)).toBeLessThan(0.05);
});

test("no shards: -1", () => {
  expect(rendezvousIndex("k", [])).toBe(-1);
});
