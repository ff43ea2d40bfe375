// GenerateRequest → files: db.ts plus one module per query file (`orders.sql` → `orders_sql.ts`).
// Output depends only on the request and is sorted, so regeneration is byte-identical.

import type { GenerateRequest, Query } from "../../gen/proto/plugin/codegen_pb.ts";
import { DB_MODULE, header } from "./db-module.ts";
import { emitQuery, SUPPORTED_COMMANDS } from "./emit.ts";
import type { EnumNames } from "./types.ts";

export interface OutFile {
  readonly name: string;
  readonly contents: string;
}

export function generate(req: GenerateRequest): OutFile[] {
  req.queries.forEach(checkSupported);
  const enums = enumNames(req);
  const byFile = new Map<string, Query[]>();
  for (const q of req.queries) byFile.set(q.filename, [...(byFile.get(q.filename) ?? []), q]);
  const files: OutFile[] = [{ name: "db.ts", contents: DB_MODULE }];
  // Code-unit order, not localeCompare: the output must not depend on the machine's locale.
  for (const filename of [...byFile.keys()].sort()) {
    const body = (byFile.get(filename) ?? []).map((q) => emitQuery(q, enums)).join("\n");
    const imports = body.includes("toSafeNumber(")
      ? `import { type DBTX, toSafeNumber } from "./db.ts";`
      : `import type { DBTX } from "./db.ts";`;
    files.push({
      name: `${filename.replace(/\.sql$/, "")}_sql.ts`,
      contents: `${header(filename)}${imports}\n\n${body}`,
    });
  }
  return files;
}

/** Fails on what the generated code could not express, naming the query. */
function checkSupported(query: Query): void {
  const fail = (why: string) => {
    throw new Error(`query ${query.name} (${query.filename}): ${why}`);
  };
  if (!SUPPORTED_COMMANDS.has(query.cmd)) {
    fail(`${query.cmd} is not supported by sqlc-gen-ts (use ${[...SUPPORTED_COMMANDS].join(", ")})`);
  }
  if (query.columns.some((c) => c.embedTable)) fail("sqlc.embed is not supported by sqlc-gen-ts");
  if (query.params.some((p) => p.column?.isSqlcSlice)) fail("sqlc.slice is not supported by sqlc-gen-ts");
  const numbers = query.params.map((p) => p.number).sort((a, b) => a - b);
  if (numbers.some((n, i) => n !== i + 1)) {
    fail(`parameters must be numbered $1..$n without gaps, got ${numbers.map((n) => `$${n}`).join(", ")}`);
  }
}

/** Enum type names as columns may spell them: bare, or qualified by a non-default schema. */
function enumNames(req: GenerateRequest): EnumNames {
  const names = new Set<string>();
  for (const schema of req.catalog?.schemas ?? []) {
    for (const e of schema.enums) names.add(e.name).add(`${schema.name}.${e.name}`);
  }
  return names;
}
