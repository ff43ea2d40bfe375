// Embedded mode loses no event when its process stops or dies with a backlog. The services run
// in a child process (tests/support/embedded-services-child.ts) on databases this test owns; a
// transaction here holds a lock on the notifications table, so the consumer stalls and the
// relay's events pile up behind it in the in-process bus. Then the process is stopped (SIGTERM)
// or killed (SIGKILL), the lock released, the process started again: every event in LOMS's
// outbox must appear exactly once in GET /notifications.

import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { startTestPostgres, type TestPostgres } from "./support/postgres.ts";
import { http, TEST_ENV } from "./support/system.ts";

let pg: TestPostgres;
let loms: ReturnType<typeof postgres>;
let notes: ReturnType<typeof postgres>;
beforeAll(async () => {
  pg = await startTestPostgres(["cart", "loms", "notifications"]);
  loms = postgres(pg.url("loms"), { max: 1, onnotice: () => {} });
  notes = postgres(pg.url("notifications"), { max: 2, onnotice: () => {} });
}, 60_000);
afterAll(async () => {
  await loms?.end();
  await notes?.end();
  await pg?.stop();
}, 30_000);

interface Running {
  readonly child: ReturnType<typeof Bun.spawn>;
  readonly lomsUrl: string;
  readonly notificationsUrl: string;
}

async function startChild(): Promise<Running> {
  const urls = { cart: pg.url("cart"), loms: pg.url("loms"), notifications: pg.url("notifications") };
  const child = Bun.spawn(
    [process.execPath, "tests/support/embedded-services-child.ts", JSON.stringify(urls)],
    {
      stdout: "pipe",
      stderr: "inherit",
      env: { ...process.env, ...TEST_ENV, LOG_LEVEL: "warn", SHUTDOWN_PRE_STOP_MS: "0" },
    },
  );
  const reader = child.stdout.getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  let ready: RegExpExecArray | null = null;
  while (!ready && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
    ready = /READY (\{.*\})\n/.exec(out);
  }
  if (!ready) throw new Error(`child did not start: ${out.slice(-2_000)}`);
  // Keep draining its output, or a full pipe would block the child.
  void (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) {}
  })();
  const ports = JSON.parse(ready[1] as string) as Record<string, { http: number }>;
  const url = (service: string) => `http://127.0.0.1:${ports[service]?.http}`;
  return { child, lomsUrl: url("loms"), notificationsUrl: url("notifications") };
}

/** Holds a lock that blocks every insert into notifications until `release`. */
async function stallConsumer() {
  const reserved = await notes.reserve();
  await reserved`begin`;
  await reserved`lock table notifications in share mode`;
  return async () => {
    await reserved`rollback`;
    reserved.release();
  };
}

/** Orders created (and half of them paid) through the LOMS gateway: 2 or 3 events each. */
async function makeOrders(lomsUrl: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const created = await http("POST", `${lomsUrl}/order/create`, {
        user_id: 7,
        items: [{ sku: 1625903, count: 1 }],
      });
      expect(created.status).toBe(200);
      const orderId = Number((created.body as { order_id: string }).order_id);
      if (i % 2 === 0)
        expect((await http("POST", `${lomsUrl}/order/pay`, { order_id: orderId })).status).toBe(200);
    }),
  );
}

/** Until the consumer is stuck on the lock, and then a little more, so that the relay caught up. */
async function untilStalled(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await notes`select count(*)::int as n from pg_stat_activity
                              where datname = current_database() and wait_event_type = 'Lock'`;
    if ((row?.n ?? 0) > 0) break;
    if (Date.now() > deadline) throw new Error("the consumer never reached the lock");
    await Bun.sleep(20);
  }
  await Bun.sleep(1_000);
}

/** Every outbox event, by order; and what GET /notifications lists for each of those orders. */
async function compare(notificationsUrl: string) {
  const rows = await loms`select order_id::text as order_id, event_id::text as event_id
                          from order_events_outbox order by id`;
  const expected = new Map<string, string[]>();
  for (const r of rows) expected.set(r.order_id, [...(expected.get(r.order_id) ?? []), r.event_id]);
  const listed = new Map<string, string[]>();
  for (const orderId of expected.keys()) {
    const reply = await http("GET", `${notificationsUrl}/notifications?order_id=${orderId}`);
    const body = reply.body as { notifications: { event_id: string }[] };
    listed.set(
      orderId,
      body.notifications.map((n) => n.event_id),
    );
  }
  const sorted = (m: Map<string, string[]>) => [...m].map(([k, v]) => [k, [...v].sort()]);
  return { events: rows.length, expected: sorted(expected), listed: sorted(listed) };
}

async function everyEventOnce(notificationsUrl: string) {
  const deadline = Date.now() + 20_000;
  let last = await compare(notificationsUrl);
  while (JSON.stringify(last.listed) !== JSON.stringify(last.expected) && Date.now() < deadline) {
    await Bun.sleep(200);
    last = await compare(notificationsUrl);
  }
  return last;
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`${signal} with a backlog in the in-process bus, restart: every outbox event once in notifications`, async () => {
    let running = await startChild();
    const release = await stallConsumer();
    try {
      await makeOrders(running.lomsUrl, 40);
      await untilStalled();
      running.child.kill(signal);
      // A graceful stop waits for the handler in hand, which waits for the lock.
      if (signal === "SIGTERM") await Bun.sleep(300);
    } finally {
      await release();
    }
    await running.child.exited;
    running = await startChild();
    try {
      const result = await everyEventOnce(running.notificationsUrl);
      expect(result.events).toBeGreaterThanOrEqual(100);
      expect(result.listed).toEqual(result.expected);
    } finally {
      running.child.kill("SIGTERM");
      await running.child.exited;
    }
  }, 90_000);
}
