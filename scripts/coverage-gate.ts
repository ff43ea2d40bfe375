// Fails when line coverage of any service folder (or the platform) drops below the gate.
// Bun reports line and function coverage (no separate statement counter); lines are the
// closest measure of "statements run", so the gate applies to lines.

import { readFileSync } from "node:fs";

const GATE = 80;
const FOLDERS = ["cart", "loms", "notifications", "product-mock", "platform"];

const file = process.argv[2] ?? "coverage/lcov.info";
const totals = new Map<string, { found: number; hit: number }>();
let current: string | undefined;
for (const line of readFileSync(file, "utf8").split("\n")) {
  if (line.startsWith("SF:")) {
    const path = line.slice(3).replace(`${process.cwd()}/`, "");
    current = FOLDERS.find((f) => path.startsWith(`${f}/`));
  } else if (current && line.startsWith("LF:")) {
    total(current).found += Number(line.slice(3));
  } else if (current && line.startsWith("LH:")) {
    total(current).hit += Number(line.slice(3));
  }
}

let failed = false;
for (const folder of FOLDERS) {
  const t = totals.get(folder);
  if (!t) continue;
  const pct = t.found === 0 ? 100 : (100 * t.hit) / t.found;
  const ok = pct >= GATE;
  failed ||= !ok;
  console.log(
    `${ok ? "ok  " : "FAIL"} ${folder.padEnd(14)} ${pct.toFixed(1)}% of ${t.found} lines (gate ${GATE}%)`,
  );
}
if (totals.size === 0) {
  console.log(`no coverage data for ${FOLDERS.join(", ")} in ${file}`);
  failed = true;
}
process.exit(failed ? 1 : 0);

function total(folder: string) {
  let t = totals.get(folder);
  if (!t) {
    t = { found: 0, hit: 0 };
    totals.set(folder, t);
  }
  return t;
}
