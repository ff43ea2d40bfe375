import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { variablesDocumented, variablesRead } from "./check-config-table.ts";

test("finds every form of reading a variable", () => {
  const file = join(mkdtempSync(join(tmpdir(), "config-table-")), "main.ts");
  writeFileSync(
    file,
    'envInt(env, "A_PORT", 1); envString(process.env, "B_URL", ""); process.env.C_LEVEL; Deno.env.get("D_X");',
  );
  expect([...variablesRead([file]).keys()].sort()).toEqual(["A_PORT", "B_URL", "C_LEVEL", "D_X"]);
});

test("reads names from the first column of the configuration table only", () => {
  const readme = [
    "## Ports",
    "| `NOT_CONFIG` | x |",
    "## Configuration",
    "| variable | default | meaning |",
    "|---|---|---|",
    "| `A_PORT` / `B_URL` | 1 | see `NOT_A_NAME` |",
    "## Layout",
    "| `LAYOUT_X` | y |",
  ].join("\n");
  expect([...variablesDocumented(readme)].sort()).toEqual(["A_PORT", "B_URL"]);
});
