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

interface Endpoint {
  readonly name: string;
  readonly url: string;
}

export async function runWorkload(
  config: WorkloadConfig,
  until: () => boolean,
  history: Op[],
): Promise<void> {
  const users = Array.from({ length: config.users }, (_, i) => config.firstUser + i);
  await Promise.all(users.map((user) => userLoop(config, user, until, history)));
}

type Planned = Pick<Op, "kind" | "sku" | "count" | "orderId">;

interface Request {
  readonly op: Planned;
  readonly endpoint: Endpoint;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** What one user knows between its operations. */
interface UserState {
  /** Orders this user was told about and has not yet seen paid or cancelled. */
  readonly open: number[];
  /** Whether the cart may hold something: checking out an empty cart (404) is mostly wasted. */
  filled: boolean;
}

/** The next operation, drawn with fixed weights: adds 38%, deletes 8%, clears 3%, lists 8%, checkouts 18%, pay or cancel 25%. */
function nextRequest(config: WorkloadConfig, user: number, state: UserState): Request {
  const { random } = config;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const roll = random();
  const cart = pick(config.carts);
  const loms = pick(config.loms);
  const emptyCheckout = !state.filled && random() < 0.9;
  if (roll < 0.38 || (roll >= 0.57 && roll < 0.75 && emptyCheckout)) {
    const sku = random() < 0.25 ? pick(config.unstockedSkus) : pick(config.skus);
    const count = 1 + Math.floor(random() * 3);
    return {
      op: { kind: "add", sku, count },
      endpoint: cart,
      method: "POST",
      path: `/user/${user}/cart/${sku}`,
      body: { count },
    };
  }
  if (roll < 0.46) {
    const sku = pick(config.skus);
    return {
      op: { kind: "delete", sku },
      endpoint: cart,
      method: "DELETE",
      path: `/user/${user}/cart/${sku}`,
    };
  }
  if (roll < 0.49)
    return { op: { kind: "clear" }, endpoint: cart, method: "DELETE", path: `/user/${user}/cart` };
  if (roll < 0.57) return { op: { kind: "list" }, endpoint: cart, method: "GET", path: `/user/${user}/cart` };
  if (roll < 0.75 || state.open.length === 0)
    return { op: { kind: "checkout" }, endpoint: cart, method: "POST", path: `/checkout/${user}` };
  // Pay most orders, cancel some; the rest are left to expire.
  const orderId = pick(state.open);
  const kind: OpKind = roll < 0.92 ? "pay" : "cancel";
  return {
    op: { kind, orderId },
    endpoint: loms,
    method: "POST",
    path: `/order/${kind}`,
    body: { order_id: orderId },
  };
}

async function userLoop(config: WorkloadConfig, user: number, until: () => boolean, history: Op[]) {
  const state: UserState = { open: [], filled: false };
  while (!until()) {
    const { op, endpoint, method, path, body } = nextRequest(config, user, state);
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
    learn(state, recorded);
    await Bun.sleep(20 + config.random() * 80);
  }
}

function learn(state: UserState, op: Op): void {
  if (op.result) state.open.push(op.result);
  if (op.kind === "add" && op.outcome !== "fail") state.filled = true;
  if ((op.kind === "checkout" || op.kind === "clear") && op.outcome === "ok") state.filled = false;
  // A definite answer settles the order; a retryable one (unknown, 409, 5xx) leaves it to retry.
  const settled = op.outcome === "ok" || (op.status >= 400 && op.status < 500 && op.status !== 409);
  if ((op.kind === "pay" || op.kind === "cancel") && settled)
    state.open.splice(state.open.indexOf(op.orderId as number), 1);
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
    if (e.name === "TimeoutError" || e.name === "AbortError")
      return { outcome: "unknown", status: 0, error: "timeout" };
    // Nothing was sent to a port nobody listens on: the operation certainly did not happen.
    if (e.code === "ConnectionRefused" || e.code === "ECONNREFUSED")
      return { outcome: "fail", status: 0, error: "refused" };
    return { outcome: "unknown", status: 0, error: e.code ?? e.message ?? "network error" };
  }
}
