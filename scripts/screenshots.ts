// Pictures for the README, taken from a running stack (make stack-up && make stack-run, ideally
// under `make load`) with Debian's headless Chromium through playwright-core:
//   docs/images/trace-checkout.png          one checkout's trace in the stack's trace UI (Zipkin)
//   docs/images/prometheus-golden-signals.png  traffic, errors and latency in Prometheus' graph
// Usage: bun scripts/screenshots.ts

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CART = "http://127.0.0.1:8082";
const ZIPKIN = "http://127.0.0.1:9411";
const PROMETHEUS = "http://127.0.0.1:9090";
const OUT = "docs/images";

async function post(url: string, headers: Record<string, string>, body?: unknown): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

// One checkout under a known trace id, so that its page can be opened directly; the adds before
// it are traces of their own.
const traceId = randomBytes(16).toString("hex");
const json = { "content-type": "application/json" };
const traced = { ...json, traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };
const user = 9_000_000 + Math.floor(Math.random() * 100_000);
for (const sku of [139275865, 1625903])
  if ((await post(`${CART}/user/${user}/cart/${sku}`, json, { count: 1 })) !== 200)
    throw new Error("add failed");
if ((await post(`${CART}/checkout/${user}`, traced)) !== 200) throw new Error("checkout failed");
for (let i = 0; ; i++) {
  const res = await fetch(`${ZIPKIN}/api/v2/trace/${traceId}`);
  const spans = res.ok
    ? ((await res.json()) as { name?: string; localEndpoint?: { serviceName?: string } }[])
    : [];
  const names = new Set(spans.map((s) => `${s.localEndpoint?.serviceName} ${s.name}`));
  const whole = ["cart /cart.v1.cartservice/checkout", "loms /loms.v1.lomsservice/ordercreate"];
  if (whole.every((n) => names.has(n)) && spans.some((s) => s.localEndpoint?.serviceName === "notifications"))
    break;
  if (i > 60) throw new Error(`trace ${traceId} did not reach Zipkin with every service's spans`);
  await Bun.sleep(500);
}

mkdirSync(OUT, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "marketplace-shots-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  viewport: { width: 1400, height: 900 },
});
try {
  const page = await browser.newPage();
  await page.goto(`${ZIPKIN}/zipkin/traces/${traceId}`);
  await page.getByText("notifications").first().waitFor({ timeout: 30_000 });
  await page
    .getByText("Services 4")
    .or(page.getByText("Services4"))
    .first()
    .waitFor({ timeout: 5_000 })
    .catch(() => {});
  await page.waitForTimeout(1_000);
  await page.screenshot({ path: `${OUT}/trace-checkout.png`, fullPage: false });
  console.log(`${OUT}/trace-checkout.png: trace ${traceId}`);

  const exprs = [
    "sum by (service) (rate(http_requests_total[1m]))",
    'sum by (service) (rate(http_requests_total{code=~"4..|5.."}[1m])) / sum by (service) (rate(http_requests_total[1m]))',
    "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[1m])))",
  ];
  const query = exprs
    .map((e, i) => `g${i}.expr=${encodeURIComponent(e)}&g${i}.tab=0&g${i}.range_input=10m`)
    .join("&");
  // One tall viewport rather than a full-page capture, which repeats the fixed navigation bar.
  await page.setViewportSize({ width: 1400, height: 2400 });
  await page.goto(`${PROMETHEUS}/graph?${query}`);
  await page.locator("canvas, .graph-chart, svg").first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(2_000);
  await page.screenshot({ path: `${OUT}/prometheus-golden-signals.png` });
  console.log(`${OUT}/prometheus-golden-signals.png`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
