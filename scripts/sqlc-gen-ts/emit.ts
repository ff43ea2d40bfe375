// The code for one query: its SQL text, an Args interface for its parameters, a Row interface
// and a row mapper for its columns, and the async function that runs it on a DBTX.

import type { Query } from "../../gen/proto/plugin/codegen_pb.ts";
import { binding, camel, pascal, uniqueNames } from "./naming.ts";
import { decodeExpr, type EnumNames, tsType } from "./types.ts";

/** The commands whose result is fully described by rows or a row count. */
export const SUPPORTED_COMMANDS: ReadonlySet<string> = new Set([":one", ":many", ":exec", ":execrows"]);

export function emitQuery(query: Query, enums: EnumNames): string {
  const names = {
    query: `${camel(query.name)}Query`,
    fn: binding(query.name),
    args: `${pascal(query.name)}Args`,
    row: `${pascal(query.name)}Row`,
    toRow: `to${pascal(query.name)}Row`,
  };
  // sqlc numbers parameters $1..$n; the values array is positional, so order by number.
  const params = [...query.params].sort((a, b) => a.number - b.number);
  const paramNames = uniqueNames(params.map((p) => camel(p.column?.name || `dollar_${p.number}`)));
  const out: string[] = [];

  const comments = query.comments.map((c) => `//${c.startsWith(" ") ? "" : " "}${c}\n`).join("");
  out.push(`${comments}export const ${names.query} = ${templateLiteral(query.text)};\n`);

  if (params.length > 0) {
    const fields = params.map((p, i) => `  ${paramNames[i]}: ${tsType(p.column, enums)};`);
    out.push(`\nexport interface ${names.args} {\n${fields.join("\n")}\n}\n`);
  }

  if (query.cmd === ":one" || query.cmd === ":many") {
    const columnNames = uniqueNames(query.columns.map((c, i) => camel(c.name || `column_${i + 1}`)));
    const fields = query.columns.map((c, i) => `  ${columnNames[i]}: ${tsType(c, enums)};`);
    out.push(`\nexport interface ${names.row} {\n${fields.join("\n")}\n}\n`);
    const mapped = query.columns.map(
      (c, i) => `    ${columnNames[i]}: ${decodeExpr(c, enums, `row[${i}]`)},`,
    );
    out.push(
      `\nfunction ${names.toRow}(row: unknown[]): ${names.row} {\n  return {\n${mapped.join("\n")}\n  };\n}\n`,
    );
  }

  const argsParam = params.length > 0 ? `, args: ${names.args}` : "";
  const values = `[${paramNames.map((n) => `args.${n}`).join(", ")}]`;
  const call = `await db.query(${names.query}, ${values}, signal)`;
  const [result, body] = resultOf(query.cmd, names, call);
  out.push(
    `\nexport async function ${names.fn}(db: DBTX${argsParam}, signal?: AbortSignal): Promise<${result}> {\n${body}\n}\n`,
  );
  return out.join("");
}

/** The function's result type and body for a command. */
function resultOf(cmd: string, names: { row: string; toRow: string }, call: string): [string, string] {
  switch (cmd) {
    case ":one":
      return [
        `${names.row} | null`,
        `  const { rows } = ${call};\n  const row = rows[0];\n  return row ? ${names.toRow}(row) : null;`,
      ];
    case ":many":
      return [`${names.row}[]`, `  const { rows } = ${call};\n  return rows.map(${names.toRow});`];
    case ":execrows":
      return ["number", `  const { rowCount } = ${call};\n  return rowCount;`];
    case ":exec":
      return ["void", `  ${call};`];
    default:
      throw new Error(`${cmd} is not supported`);
  }
}

/** The SQL as a template literal, so that generated files show it as written. */
function templateLiteral(text: string): string {
  return `\`${text.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${")}\``;
}
