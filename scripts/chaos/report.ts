// The run's report: a table of invariants in the terminal, and one picture (SVG, no
// dependencies) of throughput, errors and p99 latency per second with the fault windows shaded.

import type { InvariantResult } from "./checker.ts";
import type { Fault, Op } from "./history.ts";
import { effectOf } from "./replay.ts";

export function summaryTable(
  results: readonly InvariantResult[],
  history: readonly Op[],
  faults: readonly Fault[],
) {
  const lines: string[] = [];
  const outcomes = (o: Op["outcome"]) => history.filter((op) => op.outcome === o).length;
  lines.push(
    `${history.length} operations (${outcomes("ok")} ok, ${outcomes("fail")} failed, ${outcomes("unknown")} unknown), ${faults.length} faults`,
  );
  const kinds = new Map<string, number>();
  for (const f of faults) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  if (faults.length) lines.push(`faults: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  lines.push("");
  lines.push(`${"invariant".padEnd(16)} ${"result".padEnd(6)} ${"checked".padStart(8)}  counterexamples`);
  for (const r of results) {
    const first = r.counterexamples[0] ?? "";
    lines.push(
      `${r.name.padEnd(16)} ${(r.ok ? "PASS" : "FAIL").padEnd(6)} ${String(r.checked).padStart(8)}  ${first}`,
    );
    for (const more of r.counterexamples.slice(1, 5)) lines.push(`${"".padEnd(33)}${more}`);
    if (r.counterexamples.length > 5)
      lines.push(`${"".padEnd(33)}… and ${r.counterexamples.length - 5} more`);
  }
  return lines.join("\n");
}

interface Second {
  ok: number;
  errors: number;
  latencies: number[];
}

/** Per second of the run: completed operations, errors (anything but a contract answer), p99. */
function perSecond(history: readonly Op[]): Second[] {
  const seconds: Second[] = [];
  for (const op of history) {
    const s = Math.floor(op.end / 1000);
    while (seconds.length <= s) seconds.push({ ok: 0, errors: 0, latencies: [] });
    const bucket = seconds[s] as Second;
    const retryableOrWorse =
      op.outcome === "unknown" || op.status === 0 || op.status >= 500 || op.status === 409;
    if (retryableOrWorse || effectOf(op) === "maybe") bucket.errors++;
    else bucket.ok++;
    bucket.latencies.push(op.end - op.start);
  }
  return seconds;
}

const p99 = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number;
};

const COLORS: Record<string, string> = {
  "kill-broker": "#e15759",
  "pause-broker": "#f28e2b",
  "kill-loms": "#4e79a7",
  "kill-notifications": "#76b7b2",
  "kill-cart": "#59a14f",
  "kill-redis": "#edc948",
  "restart-postgres": "#b07aa1",
  "kill-pgbouncer": "#ff9da7",
};

export function timelineSvg(history: readonly Op[], faults: readonly Fault[], title: string): string {
  const seconds = perSecond(history);
  const n = Math.max(seconds.length, 1);
  const [width, left, panelH, gap, top] = [960, 60, 120, 30, 40];
  const plotW = width - left - 20;
  const x = (s: number) => left + (s / n) * plotW;
  const panels = [
    { name: "operations/s (contract answers)", values: seconds.map((s) => s.ok), color: "#4e79a7" },
    { name: "errors/s (unknown, 409, 5xx, refused)", values: seconds.map((s) => s.errors), color: "#e15759" },
    { name: "p99 latency (ms)", values: seconds.map((s) => p99(s.latencies)), color: "#59a14f" },
  ];
  const height = top + panels.length * (panelH + gap) + 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}: throughput, errors and p99 latency per second, fault windows shaded</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${escapeXml(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const y0 = top + i * (panelH + gap);
    const max = Math.max(1, ...panel.values);
    for (const f of faults) {
      const fx = x(f.start / 1000);
      const fw = Math.max(1, x(f.end / 1000) - fx);
      out.push(
        `<rect x="${fx.toFixed(1)}" y="${y0}" width="${fw.toFixed(1)}" height="${panelH}" fill="${COLORS[f.kind] ?? "#999"}" opacity="0.25"><title>${f.kind} ${f.target}</title></rect>`,
      );
    }
    out.push(`<rect x="${left}" y="${y0}" width="${plotW}" height="${panelH}" fill="none" stroke="#888"/>`);
    out.push(`<text x="${left + 4}" y="${y0 + 12}">${escapeXml(panel.name)}</text>`);
    out.push(`<text x="${left - 4}" y="${y0 + 10}" text-anchor="end">${max}</text>`);
    out.push(`<text x="${left - 4}" y="${y0 + panelH}" text-anchor="end">0</text>`);
    const points = panel.values
      .map((v, s) => `${x(s + 0.5).toFixed(1)},${(y0 + panelH - (v / max) * panelH).toFixed(1)}`)
      .join(" ");
    out.push(`<polyline points="${points}" fill="none" stroke="${panel.color}" stroke-width="1.5"/>`);
  });
  const axisY = top + panels.length * (panelH + gap) - gap + 14;
  for (let s = 0; s <= n; s += Math.max(10, Math.ceil(n / 100) * 10))
    out.push(`<text x="${x(s).toFixed(1)}" y="${axisY}" text-anchor="middle">${s}s</text>`);
  const kinds = [...new Set(faults.map((f) => f.kind))];
  kinds.forEach((kind, i) => {
    const lx = left + i * 110;
    out.push(
      `<rect x="${lx}" y="${axisY + 14}" width="12" height="12" fill="${COLORS[kind]}" opacity="0.5"/>`,
    );
    out.push(`<text x="${lx + 16}" y="${axisY + 24}">${kind}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
