// Every HTTP request is counted and logged with its route template and status, also when the
// gateway refuses it before any handler runs; /metrics follows Prometheus' naming rules.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { Writable } from "node:stream";
import pino from "pino";
import { CartService } from "../../gen/proto/cart/v1/cart_pb.ts";
import { bindService } from "../rpc/call.ts";
import { type RunningService, startService } from "../service.ts";

const lines: { http_route?: string; verb?: string; status?: number; level: number }[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).trim().split("\n")) lines.push(JSON.parse(line));
    done();
  },
});

let svc: RunningService;
let base: string;
beforeAll(async () => {
  svc = await startService({
    name: "observe-test",
    logger: pino({ level: "debug" }, sink),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    bindings: [
      bindService(CartService, {
        addItem: async () => ({}),
        deleteItem: async () => ({}),
        clearCart: async () => ({}),
        listCart: async () => ({ items: [], totalPrice: 0n }),
        checkout: async () => ({ orderId: 1n }),
      }),
    ],
  });
  base = `http://127.0.0.1:${svc.httpPort}`;
});
afterAll(() => svc?.stop(100));

// The line is written when the response closes, which may be just after the client has it.
async function loggedWithin(found: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !found(); i++) await Bun.sleep(10);
}

const refused: [string, string, string | undefined, number, string][] = [
  ["GET", "/nowhere/at/all", undefined, 404, "(unmatched)"],
  ["POST", "/user/abc/cart/2", '{"count":1}', 400, "/user/{user_id}/cart/{sku_id}"],
  [
    "POST",
    "/user/1/cart/2",
    JSON.stringify({ count: 1, pad: "x".repeat(1024 * 1024) }),
    413,
    "/user/{user_id}/cart/{sku_id}",
  ],
  ["PUT", "/user/1/cart", undefined, 405, "(unmatched)"],
  ["POST", "/user/1/cart/2", '{"count":1}', 200, "/user/{user_id}/cart/{sku_id}"],
];

test("refused requests are counted and logged by route template and status", async () => {
  for (const [verb, path, body, status] of refused) {
    const res = await fetch(`${base}${path}`, { method: verb, body });
    expect(res.status).toBe(status);
    await res.arrayBuffer();
  }
  const metrics = await (await fetch(`${base}/metrics`)).text();
  for (const [verb, , , status, route] of refused) {
    const series = new RegExp(
      `^http_requests_total\\{handler="${route.replace(/[{}()]/g, "\\$&")}",method="${verb}",code="${status}"[^}]*\\} 1$`,
      "m",
    );
    expect(metrics).toMatch(series);
    await loggedWithin(() =>
      lines.some((l) => l.http_route === route && l.verb === verb && l.status === status),
    );
    expect(lines).toContainEqual(expect.objectContaining({ http_route: route, verb, status, level: 30 }));
  }
  // The raw path never becomes a label value.
  expect(metrics).not.toContain("/nowhere/at/all");
  expect(metrics).not.toContain("/user/abc");
});

test("probes and scrapes are logged at debug, not info", async () => {
  await (await fetch(`${base}/healthz`)).text();
  await loggedWithin(() => lines.some((l) => l.http_route === "/healthz"));
  const probe = lines.findLast((l) => l.http_route === "/healthz");
  expect(probe).toMatchObject({ status: 200, level: 20 });
});

test("no gauge or histogram is named like a counter (promtool's rule)", async () => {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const misnamed = [...metrics.matchAll(/^# TYPE (\S+) (\S+)$/gm)]
    .filter(([, name, type]) => type !== "counter" && name?.endsWith("_total"))
    .map(([, name]) => name);
  expect(misnamed).toEqual([]);
  expect(metrics).toContain("# TYPE nodejs_active_handles gauge");
});

const promtool = Bun.which("promtool");
test.if(promtool !== null)("promtool check metrics passes", async () => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const run = Bun.spawnSync([promtool ?? "promtool", "check", "metrics"], { stdin: Buffer.from(text) });
  expect(run.stderr.toString() + run.stdout.toString()).toBe("");
  expect(run.exitCode).toBe(0);
});
