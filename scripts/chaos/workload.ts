// The chaos workload: many users, each one client doing one thing at a time (so that a user's
// history is a sequence, as in Jepsen), adding, deleting, clearing, listing, checking out, paying
// and cancelling through both cart processes and both LOMS replicas. Every request is recorded
// with its outcome; a request with no answer within the client timeout is "unknown" — it may or
// may not have happened, and the checker must accept both.

import type { Op, OpKind } from "./history.ts";

export interface WorkloadConfig {
  readonly carts: readonly Endpoint[];
  readonly loms: readonly Endpoint[];
  readonly users: number;
  /** The first user id; users are firstUser … firstUser + users − 1, new in every run. */
  readonly firstUser: number;
  readonly timeoutMs: number;
  /** SKUs with stock (small ones contend); plus catalog SKUs without stock (product budget load). */
  readonly skus: readonly number[];
  readonly unstockedSkus: readonly number[];
  readonly random: () => number;
  /** Milliseconds since the run began (shared with the nemesis). */
  readonly clock: () => number;
}

export interface Endpoint {
  readonly name: string;
  readonly url: string;
}

export async function runWorkload(config: WorkloadConfig, until: () => boolean, history: Op[]): Promise<void> {
  const users = Array.from({ length: config.users }, (_, i) => config.firstUser + i);
  await Promise.all(users.map((user) => userLoop(config, user, until, history)));
}

async function userLoop(config: WorkloadConfig, user: number, until: () => boolean, history: Op[]) {
  const { random } = config;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  // Orders this user was told about and has not yet seen paid or cancelled.
  const open: number[] = [];
  // Whether the cart may hold something: checking out an empty cart (404) is mostly wasted.
  let filled = false;
  while (!until()) {
    const roll = random();
    const cart = pick(config.carts);
    const loms = pick(config.loms);
    let op: Omit<Op, "start" | "end" | "outcome" | "status" | "user" | "target">;
    let endpoint = cart;
    let method = "POST";
    let path: string;
    let body: unknown;
    const emptyCheckout = !filled && random() < 0.9;
    if (roll < 0.38 || (roll >= 0.57 && roll < 0.75 && emptyCheckout)) {
      const sku = random() < 0.25 ? pick(config.unstockedSkus) : pick(config.skus);
      const count = 1 + Math.floor(random() * 3);
      op = { kind: "add", sku, count };
      path = `/user/${user}/cart/${sku}`;
      body = { count };
    } else if (roll < 0.46) {
      const sku = pick(config.skus);
      op = { kind: "delete", sku };
      method = "DELETE";
      path = `/user/${user}/cart/${sku}`;
    } else if (roll < 0.49) {
      op = { kind: "clear" };
      method = "DELETE";
      path = `/user/${user}/cart`;
    } else if (roll < 0.57) {
      op = { kind: "list" };
      method = "GET";
      path = `/user/${user}/cart`;
    } else if (roll < 0.75 || open.length === 0) {
      op = { kind: "checkout" };
      path = `/checkout/${user}`;
    } else {
      // Pay most orders, cancel some; the rest are left to expire.
      const orderId = pick(open);
      const kind: OpKind = roll < 0.92 ? "pay" : "cancel";
      op = { kind, orderId };
      endpoint = loms;
      path = `/order/${kind}`;
      body = { order_id: orderId };
    }
    const start = config.clock();
    const answer = await send(endpoint.url + path, method, body, config.timeoutMs);
    const recorded: Op = {
      ...op,
      user,
      target: endpoint.name,
      start,
      end: config.clock(),
      outcome: answer.outcome,
      status: answer.status,
      ...(answer.error ? { error: answer.error } : {}),
      ...(op.kind === "checkout" && answer.outcome === "ok" ? { result: Number(answer.json?.order_id) } : {}),
    };
    history.push(recorded);
    if (recorded.result) open.push(recorded.result);
    if (op.kind === "add" && answer.outcome !== "fail") filled = true;
    if ((op.kind === "checkout" || op.kind === "clear") && answer.outcome === "ok") filled = false;
    // A definite answer settles the order; a retryable one (unknown, 409, 5xx) leaves it to retry.
    const settled = answer.outcome === "ok" || (answer.status >= 400 && answer.status < 500 && answer.status !== 409);
    if ((op.kind === "pay" || op.kind === "cancel") && settled) {
      open.splice(open.indexOf(op.orderId as number), 1);
    }
    await Bun.sleep(20 + random() * 80);
  }
}

interface Answer {
  outcome: Op["outcome"];
  status: number;
  error?: string;
  json?: Record<string, unknown>;
}

async function send(url: string, method: string, body: unknown, timeoutMs: number): Promise<Answer> {
  try {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { outcome: res.ok ? "ok" : "fail", status: res.status, json };
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    if (e.name === "TimeoutError" || e.name === "AbortError") return { outcome: "unknown", status: 0, error: "timeout" };
    // Nothing was sent to a port nobody listens on: the operation certainly did not happen.
    if (e.code === "ConnectionRefused" || e.code === "ECONNREFUSED")
      return { outcome: "fail", status: 0, error: "refused" };
    return { outcome: "unknown", status: 0, error: e.code ?? e.message ?? "network error" };
  }
}
