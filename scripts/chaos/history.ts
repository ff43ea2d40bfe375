// What a chaos run records, and the files it is kept in: every client operation with its
// outcome, every fault with its start and heal. The checker reads only these and the databases,
// so a recorded run can be checked again (and a planted violation checked) without the stack.

import { readFileSync, writeFileSync } from "node:fs";

/** ok: the service answered 2xx; fail: it answered an error status; unknown: no answer in time. */
type Outcome = "ok" | "fail" | "unknown";

export type OpKind = "add" | "delete" | "clear" | "list" | "checkout" | "pay" | "cancel";

export interface Op {
  /** The client (one user, one operation at a time, like a Jepsen process). */
  readonly user: number;
  readonly kind: OpKind;
  readonly sku?: number;
  readonly count?: number;
  readonly orderId?: number;
  /** Which process served it, e.g. cart-2 or loms. */
  readonly target: string;
  /** Milliseconds since the run began, when the request left and when its outcome was known. */
  readonly start: number;
  readonly end: number;
  readonly outcome: Outcome;
  /** HTTP status, 0 when unknown. */
  readonly status: number;
  /** A checkout's order id as answered. */
  readonly result?: number;
  /** Why there was no HTTP answer: "timeout", "refused" (nothing was sent) or the network error. */
  readonly error?: string;
}

export interface Fault {
  readonly kind: FaultKind;
  readonly target: string;
  /** Milliseconds since the run began: the fault was injected, and it was healed (all back). */
  readonly start: number;
  readonly end: number;
}

export type FaultKind =
  | "kill-broker"
  | "pause-broker"
  | "kill-loms"
  | "kill-notifications"
  | "kill-cart"
  | "kill-redis"
  | "restart-postgres"
  | "kill-pgbouncer";

export function writeJsonl(file: string, rows: readonly unknown[]): void {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
}

export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** A small seeded generator (mulberry32): one seed gives one schedule and one workload. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
