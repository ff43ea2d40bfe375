// The dashboards are proven on the stack's real Prometheus: after a scripted load (scripts/load.ts),
// every running service's scrape target is up, and every PromQL expression of every panel of
// every dashboard under deploy/grafana/dashboards returns a non-empty result through Prometheus'
// HTTP API. Expressions are extracted from the JSON, so a panel added later is checked too; the
// `$service` variable is given its "All" value, which is what a dashboard opens with.

import { expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const PROMETHEUS = process.env.PROMETHEUS_URL ?? "http://127.0.0.1:9090";
const DASHBOARDS = "deploy/grafana/dashboards";
const LOAD_SECONDS = 25;

/** Every `expr` anywhere in a dashboard (panels, rows' nested panels, targets). */
function expressions(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) expressions(item, out);
  else if (node && typeof node === "object")
    for (const [key, value] of Object.entries(node)) {
      if (key === "expr" && typeof value === "string") out.push(value);
      else expressions(value, out);
    }
  return out;
}

function allValue(dashboard: { templating?: { list?: { name: string; allValue?: string }[] } }) {
  return new Map((dashboard.templating?.list ?? []).map((v) => [v.name, v.allValue ?? ".+"]));
}

async function query(expr: string): Promise<{ status: string; data: { result: unknown[] } }> {
  const res = await fetch(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as { status: string; data: { result: unknown[] } };
}

test(
  "after a scripted load every target is up and every dashboard expression has data",
  async () => {
    const load = spawn(
      process.execPath,
      ["scripts/load.ts", "--seconds", String(LOAD_SECONDS), "--users", "3"],
      {
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const code = await new Promise((resolve) => load.on("exit", resolve));
    expect(code).toBe(0);
    // Two scrapes (5 s apart) after the last request, so every rate() has its samples.
    await Bun.sleep(11_000);

    const targets = (await (await fetch(`${PROMETHEUS}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    };
    // A job counts once its service exists in the tree (notifications arrives with the events work).
    const expected = targets.data.activeTargets.filter((t) => existsSync(join(t.labels.job, "main.ts")));
    expect(expected.map((t) => t.labels.job).sort()).toEqual(
      expect.arrayContaining(["cart", "loms", "product-mock"]),
    );
    for (const t of expected)
      expect({ job: t.labels.job, health: t.health, error: t.lastError }).toEqual({
        job: t.labels.job,
        health: "up",
        error: "",
      });

    const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    const empty: string[] = [];
    let checked = 0;
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), "utf8"));
      const vars = allValue(dashboard);
      for (const raw of expressions(dashboard.panels)) {
        const expr = raw.replace(/\$(\w+)/g, (whole, name: string) => vars.get(name) ?? whole);
        const answer = await query(expr);
        checked++;
        if (answer.status !== "success" || answer.data.result.length === 0) empty.push(`${file}: ${expr}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(empty).toEqual([]);
  },
  LOAD_SECONDS * 1000 + 60_000,
);
