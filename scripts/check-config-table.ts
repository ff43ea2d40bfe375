// Fails when the code reads an environment variable that the table in docs/configuration.md does
// not list, or when the table lists one that no code reads. Run by `make lint`.
// "Code" is every non-test TypeScript file outside gen/ and tests/: services, platform, scripts.
// A variable counts as read when it appears as envInt/envString/envList/envBool(env, "NAME"...),
// process.env.NAME or Deno.env.get("NAME").

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// This file names the patterns in its comments; it reads no variable itself.
const SELF = join("scripts", "check-config-table.ts");
const SKIP_DIRS = new Set(["node_modules", "gen", "tests", "proto", "coverage", ".git", ".data", ".stack"]);
const READS = [
  /\benv(?:Int|String|List|Bool)\(\s*[\w.]+,\s*"([A-Z][A-Z0-9_]*)"/g,
  /\bprocess\.env\.([A-Z][A-Z0-9_]*)/g,
  /\bDeno\.env\.get\(\s*"([A-Z][A-Z0-9_]*)"/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return SKIP_DIRS.has(entry.name) || entry.name.startsWith(".") ? [] : sourceFiles(path);
    const isCode = entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts");
    return isCode && path !== SELF ? [path] : [];
  });
}

export function variablesRead(files: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const re of READS)
      for (const m of text.matchAll(re)) if (m[1] && !found.has(m[1])) found.set(m[1], file);
  }
  return found;
}

/** Backticked names in the first column of the table under the "Configuration" heading (page title or section). */
export function variablesDocumented(page: string): Set<string> {
  const section = page.split(/^##? Configuration$/m)[1]?.split(/^## /m)[0] ?? "";
  const names = new Set<string>();
  for (const line of section.split("\n")) {
    const firstCell = line.startsWith("|") ? line.split("|")[1] : undefined;
    for (const m of firstCell?.matchAll(/`([A-Z][A-Z0-9_]*)`/g) ?? []) if (m[1]) names.add(m[1]);
  }
  return names;
}

if (import.meta.main) {
  const read = variablesRead(sourceFiles("."));
  const documented = variablesDocumented(readFileSync("docs/configuration.md", "utf8"));
  const missing = [...read].filter(([name]) => !documented.has(name));
  const stale = [...documented].filter((name) => !read.has(name));
  for (const [name, file] of missing)
    console.error(`${name} (read in ${file}) is missing from docs/configuration.md`);
  for (const name of stale) console.error(`${name} is in docs/configuration.md but no code reads it`);
  if (missing.length > 0 || stale.length > 0) process.exit(1);
  console.log(`config table: all ${read.size} variables the code reads are documented`);
}
