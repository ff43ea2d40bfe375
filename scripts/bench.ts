// `make bench` / `bun run bench`: the issue-11 workloads against embedded mode, with a trivial
// Bun node:http server measured in the same run as the ceiling and every figure's ratio to it.
// autocannon drives the load from this process; the system under test runs in its own process
// (scripts/bench/target.ts), started afresh for each group of workloads that needs other limits.
//   BENCH_DURATION_S (default 5) sets each load's length; BENCH_GROUPS (default
//   "default,cold,lifted,hotpath") picks workload groups ("stack" measures the running stack: see
//   scripts/bench-stack.sh); BENCH_PROFILE_DIR, when set, runs the system
//   under test with Bun's CPU profiler and leaves .cpuprofile and .md profiles there;
//   BENCH_ONLY, when set, runs only the throughput workloads whose name contains it (one clean
//   profile per workload).

import { type ChildProcess, spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { stopChild } from "../tests/support/child.ts";
import { EPHEMERAL_PORTS } from "../tests/support/system.ts";
import { treeCpuSeconds } from "./bench/cpu.ts";
import { type LoadOptions, type LoadResult, load } from "./bench/load.ts";
import { seedBenchRows } from "./bench/seed-rows.ts";
import { seedBench } from "./seed-bench.ts";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const BUN = process.execPath;
const GROUPS = new Set((process.env.BENCH_GROUPS ?? "default,cold,lifted,hotpath").split(","));
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const ONLY = process.env.BENCH_ONLY;
const SKUS = seedBenchRows(3000).map((r) => r.sku);
const children: ChildProcess[] = [];
/** The server process most recently started (system under test or ceiling): whose CPU is counted. */
let server: ChildProcess | undefined;

interface Ports {
  cart: { http: number };
  loms: { http: number };
}

async function startProcess<T>(script: string, env: Record<string, string>): Promise<T> {
  const profile =
    PROFILE_DIR && script.endsWith("target.ts")
      ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${PROFILE_DIR}`]
      : [];
  const child = spawn(BUN, [...profile, script], {
    env: { ...process.env, LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Each line a child writes to stderr names the child: a crash report must say whose it is.
  const tag = `[${script.replace(/^.*\//, "")} pid ${child.pid}]`;
  createInterface({ input: child.stderr as NonNullable<typeof child.stderr> }).on("line", (line) =>
    process.stderr.write(`${tag} ${line}\n`),
  );
  // 143 (128 + SIGTERM) and SIGTERM are the stop we asked for; anything else is worth a line.
  child.on("exit", (code, signal) => {
    const how = signal ? `ended by ${signal}` : `exited with ${code}`;
    if (!(code === 0 || code === 143 || signal === "SIGTERM")) process.stderr.write(`${tag} ${how}\n`);
  });
  children.push(child);
  server = child;
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  for await (const line of lines) {
    if (line.startsWith("{")) return JSON.parse(line) as T;
  }
  throw new Error(`${script} exited before reporting its ports`);
}

async function stopAll(): Promise<void> {
  server = undefined;
  await Promise.all(children.splice(0).map((child) => stopChild(child)));
}

async function request(method: string, url: string, body?: unknown): Promise<number> {
  const res = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

async function fillCart(cart: string, user: number, skus: readonly number[]): Promise<void> {
  for (const sku of skus) {
    const status = await request("POST", `${cart}/user/${user}/cart/${sku}`, { count: 1 });
    if (status !== 200) throw new Error(`adding ${sku} for user ${user}: ${status}`);
  }
}

async function timeGet(url: string): Promise<number> {
  const started = performance.now();
  const status = await request("GET", url);
  if (status !== 200) throw new Error(`GET ${url}: ${status}`);
  return performance.now() - started;
}

type Mode = "embedded" | "stack";

interface Measured extends LoadResult {
  /** utime + stime of the server's whole process tree (Postgres included) per request served. */
  readonly cpuMs: number;
  /** The part of cpuMs spent in the server's child processes (embedded Postgres). */
  readonly childCpuMs: number;
}

/** One load against the server started last, with that server's CPU time over the load. */
async function measured(options: LoadOptions): Promise<Measured> {
  const pid = server?.pid ?? 0;
  const before = treeCpuSeconds(pid);
  const result = await load(options);
  const after = treeCpuSeconds(pid);
  const perRequest = (seconds: number) => (seconds * 1000) / result.total;
  const childCpuMs = perRequest(after.descendants - before.descendants);
  return { ...result, cpuMs: perRequest(after.root - before.root) + childCpuMs, childCpuMs };
}

interface Row {
  readonly mode: Mode;
  readonly workload: string;
  readonly c: number;
  readonly result: Measured;
  readonly goal: string;
  /** undefined: the goal's figure is not measured in this mode (CPU on the stack). */
  readonly met: (r: Measured) => boolean | undefined;
}

/**
 * Whether the server CPU per request is within `limitMs`; undefined where it is not measured
 * (on the stack the servers are not this script's children), so that a goal on it never reads
 * as met without a figure.
 */
const cpuWithin = (r: Measured, limitMs: number) =>
  Number.isFinite(r.cpuMs) ? r.cpuMs <= limitMs : undefined;

const rows: Row[] = [];
const ceilings: Measured[] = [];
/** The same trivial server on Bun.serve: what leaving node:http could gain at most. */
const nativeCeilings: Measured[] = [];
let user = 1_000;

const lifted = {
  PRODUCT_MOCK_RPS: "1000000",
  CART_PRODUCT_RPS_LIMIT: "1000000",
  PRODUCT_MOCK_LATENCY_MS: "0",
  PRODUCT_MOCK_LATENCY_JITTER_MS: "0",
};
const ports0 = EPHEMERAL_PORTS;

async function measureCeiling(): Promise<void> {
  const { port } = await startProcess<{ port: number }>("scripts/bench/ceiling.ts", {});
  ceilings.push(await measured({ url: `http://127.0.0.1:${port}/`, connections: 50, durationS: DURATION_S }));
  await stopAll();
  const native = await startProcess<{ port: number }>("scripts/bench/ceiling-native.ts", {});
  nativeCeilings.push(
    await measured({ url: `http://127.0.0.1:${native.port}/`, connections: 50, durationS: DURATION_S }),
  );
  await stopAll();
}

async function defaultLimits(): Promise<void> {
  const ports = await startProcess<Ports>("scripts/bench/target.ts", ports0);
  await warmListings("embedded", `http://127.0.0.1:${ports.cart.http}`);
  await stopAll();
}

/** Warm 15-item listings, one at a time and ten at once (the cache is warmed by the adds). */
async function warmListings(mode: Mode, cart: string): Promise<void> {
  const items = SKUS.slice(0, 15);
  const users = Array.from({ length: 10 }, () => user++);
  for (const u of users) await fillCart(cart, u, items);
  await timeGet(`${cart}/user/${users[0]}/cart`);
  rows.push({
    mode,
    workload: "warm 15-item listing, default limits",
    c: 1,
    result: await measured({ url: `${cart}/user/${users[0]}/cart`, connections: 1, durationS: DURATION_S }),
    goal: "p50 < 5 ms",
    met: (r) => r.p50 < 5,
  });
  let i = 0;
  rows.push({
    mode,
    workload: "10 concurrent warm 15-item listings",
    c: 10,
    result: await measured({
      url: cart,
      connections: 10,
      durationS: DURATION_S,
      next: () => ({ path: `/user/${users[i++ % users.length]}/cart` }),
    }),
    goal: "p50 < 25 ms",
    met: (r) => r.p50 < 25,
  });
}

async function coldListing(n: number): Promise<{ first: number; steady: number }> {
  // A 1 ms TTL: nothing stays cached, every listing asks the product service for every item.
  const ports = await startProcess<Ports>("scripts/bench/target.ts", {
    ...ports0,
    CART_PRODUCT_CACHE_TTL_MS: "1",
    CART_PRODUCT_CACHE_NEGATIVE_TTL_MS: "1",
  });
  const cart = `http://127.0.0.1:${ports.cart.http}`;
  const u = user++;
  await fillCart(cart, u, SKUS.slice(100, 100 + n));
  await new Promise((r) => setTimeout(r, 1_200)); // the limiter's window empties
  const first = await timeGet(`${cart}/user/${u}/cart`);
  const steady = await timeGet(`${cart}/user/${u}/cart`);
  await stopAll();
  return { first, steady };
}

async function liftedLimits(): Promise<void> {
  const ports = await startProcess<Ports>("scripts/bench/target.ts", { ...ports0, ...lifted });
  await throughput(
    "embedded",
    `http://127.0.0.1:${ports.cart.http}`,
    `http://127.0.0.1:${ports.loms.http}`,
    SKUS,
  );
  await stopAll();
}

/**
 * add-item alone, with embedded mode's hot-path changes (in-process calls, prepared statements)
 * off and then on, each in a fresh system: what they are worth, and a clean profile of each.
 */
async function hotPathCompare(): Promise<void> {
  for (const on of ["false", "true"]) {
    const ports = await startProcess<Ports>("scripts/bench/target.ts", {
      ...ports0,
      ...lifted,
      CART_INPROC_PEERS: on,
      CART_DB_PREPARE: on,
      LOMS_DB_PREPARE: on,
    });
    rows.push({
      mode: "embedded",
      workload: `add-item, limits lifted, latency 0, in-process calls and prepared statements ${on === "true" ? "ON" : "OFF"}`,
      c: 50,
      result: await addItemLoad(`http://127.0.0.1:${ports.cart.http}`, SKUS),
      goal: "(comparison)",
      met: () => true,
    });
    await stopAll();
  }
}

/**
 * The stack as `make stack-run` started it (default limits: 10 RPS, 10±10 ms). Its product
 * calls are few because the SKUs are cached in Redis first, so add-item rotates over 50 of them.
 */
async function stack(): Promise<void> {
  const loaded = await seedBench("postgres://loms:loms@127.0.0.1:5434/loms");
  console.log(loaded ? "bench seed loaded into the stack" : "bench seed already in the stack");
  const [cart, loms] = ["http://127.0.0.1:8082", "http://127.0.0.1:8084"];
  user = 3_000_000 + Math.floor(Math.random() * 1_000_000);
  await warmListings("stack", cart);
  await fillCart(cart, user++, SKUS.slice(0, 50));
  await throughput("stack", cart, loms, SKUS.slice(0, 50));
}

/** add-item at c50: fresh users, SKUs rotating over `skus`. */
function addItemLoad(cart: string, skus: readonly number[]): Promise<Measured> {
  let i = 0;
  const body = JSON.stringify({ count: 1 });
  const base = user;
  user += 50_000;
  return measured({
    url: cart,
    connections: 50,
    durationS: DURATION_S,
    method: "POST",
    body,
    next: () => ({ path: `/user/${base + (i % 50_000)}/cart/${skus[i++ % skus.length]}`, body }),
  });
}

/** Measures a throughput workload unless BENCH_ONLY leaves it out. */
async function measureRow(row: Omit<Row, "result"> & { run: () => Promise<Measured> }): Promise<void> {
  if (ONLY && !row.workload.includes(ONLY)) return;
  const { run, ...rest } = row;
  rows.push({ ...rest, result: await run() });
}

/** add-item, warm 3-item listings and OrderCreate at c50 over `skus`. */
async function throughput(mode: Mode, cart: string, loms: string, skus: readonly number[]): Promise<void> {
  let i = 0;
  await measureRow({
    mode,
    workload:
      mode === "embedded"
        ? "add-item, limits lifted, latency 0"
        : "add-item, 50 Redis-cached SKUs, default limits",
    c: 50,
    run: () => addItemLoad(cart, skus),
    goal: "≥ 7,500 req/s, p99 < 15 ms; CPU ≤ 0.22 ms/req",
    met: (r) => r.rps >= 7_500 && r.p99 < 15 && cpuWithin(r, 0.22),
  });
  const listers = Array.from({ length: 100 }, () => user++);
  for (const [k, u] of listers.entries()) await fillCart(cart, u, SKUS.slice(k % 50, (k % 50) + 3));
  await measureRow({
    mode,
    workload: "warm 3-item listing",
    c: 50,
    run: () =>
      measured({
        url: cart,
        connections: 50,
        durationS: DURATION_S,
        next: () => ({ path: `/user/${listers[i++ % listers.length]}/cart` }),
      }),
    goal: "≥ 13,500 req/s, p99 < 10 ms; CPU ≤ 0.115 ms/req",
    met: (r) => r.rps >= 13_500 && r.p99 < 10 && cpuWithin(r, 0.115),
  });
  await measureRow({
    mode,
    workload: "OrderCreate through the LOMS gateway, distinct SKUs",
    c: 50,
    run: () =>
      measured({
        url: `${loms}/order/create`,
        connections: 50,
        durationS: DURATION_S,
        method: "POST",
        next: () => ({
          path: "/order/create",
          body: JSON.stringify({
            user_id: 1 + (i % 1000),
            items: [{ sku: skus[i++ % skus.length], count: 1 }],
          }),
        }),
      }),
    goal: "≥ 2,500 req/s",
    met: (r) => r.rps >= 2_500,
  });
  await measureRow({
    mode,
    workload: "add-item + checkout pairs, one user per connection, one SKU",
    c: 10,
    run: () => checkoutPairs(cart, skus[0] ?? 0),
    goal: "CPU ≤ 1.1 ms/req",
    met: (r) => cpuWithin(r, 1.1),
  });
}

/**
 * Each connection adds one unit of `sku` to its own user's cart, checks out, and again: every
 * checkout is an order of one line, all on one stock row (as the Go-peer comparison runs it).
 */
function checkoutPairs(cart: string, sku: number): Promise<Measured> {
  const base = user;
  user += 1_000;
  let next = 0;
  const userOf = (connection: Record<string, number>) => {
    connection.user ??= base + next++;
    return connection.user;
  };
  return measured({
    url: cart,
    connections: 10,
    durationS: DURATION_S,
    steps: [
      (c) => ({ method: "POST", path: `/user/${userOf(c)}/cart/${sku}`, body: '{"count":1}' }),
      (c) => ({ method: "POST", path: `/checkout/${userOf(c)}` }),
    ],
  });
}

function print(cold: { n: number; first: number; steady: number } | undefined): void {
  const ceiling = ceilings.reduce((s, c) => s + c.rps, 0) / ceilings.length;
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(`\nmake bench — ${DURATION_S} s per load, autocannon; ceiling: Bun node:http`);
  const cpu = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(3) : "—");
  const verdict = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "yes" : "NO");
  const runs = (list: Measured[]) =>
    list.map((c) => `${fmt(c.rps)} req/s (p99 ${c.p99} ms, CPU ${cpu(c.cpuMs)} ms/req)`).join(", ");
  console.log(`ceiling runs: ${runs(ceilings)}`);
  console.log(`the same on Bun.serve: ${runs(nativeCeilings)}`);
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")} (${cpus().length} cores)\n`,
  );
  console.log(
    "| mode | workload | c | req/s | p50 ms | p99 ms | failures | ratio to ceiling | server CPU ms/req (Postgres part) | goal | met |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const { mode, workload, c, result: r, goal, met } of rows)
    console.log(
      `| ${mode} | ${workload} | ${c} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.failures} | ${(r.rps / ceiling).toFixed(3)} | ${cpu(r.cpuMs)} (${cpu(r.childCpuMs)}) | ${goal} | ${verdict(met(r))} |`,
    );
  if (!cold) return;
  const target = (cold.n / 10) * 1000;
  const within = (ms: number) => Math.abs(ms - target) / target <= 0.05;
  console.log(
    `| embedded | cold ${cold.n}-item listing at 10 RPS (first, window empty) | 1 | — | ${Math.round(cold.first)} | — | 0 | — | — | within 5% of ${fmt(target)} ms | ${within(cold.first) ? "yes" : "NO"} |`,
  );
  console.log(
    `| embedded | cold ${cold.n}-item listing at 10 RPS (right after another) | 1 | — | ${Math.round(cold.steady)} | — | 0 | — | — | within 5% of ${fmt(target)} ms | ${within(cold.steady) ? "yes" : "NO"} |`,
  );
}

try {
  await measureCeiling();
  await stopAll();
  if (GROUPS.has("default")) await defaultLimits();
  const n = 30;
  const cold = GROUPS.has("cold") ? await coldListing(n) : undefined;
  if (GROUPS.has("lifted")) await liftedLimits();
  if (GROUPS.has("hotpath")) await hotPathCompare();
  if (GROUPS.has("stack")) await stack();
  await measureCeiling();
  print(cold && { n, ...cold });
} finally {
  await stopAll();
}
