// Postgres types → TypeScript types, and how a value from the `postgres` driver becomes one.
// The driver's defaults: int2/int4/oid/float → number, int8/numeric → string, bool → boolean,
// timestamp/timestamptz/date → Date, json/jsonb → parsed value, bytea → Buffer (a Uint8Array),
// arrays → JS arrays of the element's value, every other type → its text form.
// Parameters need no conversion: the driver learns each parameter's type from the server and
// serializes numbers, Dates, arrays and JSON values accordingly.

import type { Column } from "../../gen/proto/plugin/codegen_pb.ts";

interface ValueType {
  /** The TypeScript type of one non-null, non-array value. */
  readonly ts: string;
  /** Wraps the expression `v` that holds one non-null driver value; absent when it passes as is. */
  readonly decode?: (v: string) => string;
}

const NUMBER: ValueType = { ts: "number" };
/** int8 arrives as a string; ids and counts here fit in a double, so they become numbers. */
const INT8: ValueType = { ts: "number", decode: (v) => `toSafeNumber(${v})` };
const STRING: ValueType = { ts: "string" };
const BOOLEAN: ValueType = { ts: "boolean" };
const DATE: ValueType = { ts: "Date" };
const JSON_VALUE: ValueType = { ts: "unknown" };
const BYTES: ValueType = { ts: "Uint8Array" };
const UNKNOWN: ValueType = { ts: "unknown" };

/** Keyed by the names sqlc uses: catalog names (`int8`) and, for some expressions, SQL spellings. */
const BY_NAME: ReadonlyMap<string, ValueType> = new Map([
  ...names(NUMBER, "int2", "int4", "int", "smallint", "integer", "serial", "serial4", "smallserial"),
  ...names(NUMBER, "float4", "float8", "float", "real", "double precision", "oid"),
  ...names(INT8, "int8", "bigint", "bigserial", "serial8"),
  ...names(STRING, "numeric", "decimal", "money"),
  ...names(STRING, "text", "varchar", "character varying", "bpchar", "char", "character", "citext"),
  ...names(STRING, "uuid", "name", "time", "timetz", "interval", "inet", "cidr", "macaddr"),
  ...names(BOOLEAN, "bool", "boolean"),
  ...names(DATE, "timestamptz", "timestamp", "date"),
  ...names(JSON_VALUE, "json", "jsonb"),
  ...names(BYTES, "bytea"),
]);

function names(type: ValueType, ...keys: string[]): [string, ValueType][] {
  return keys.map((key) => [key, type]);
}

/** Postgres enum names from the catalog: their values arrive as the label strings. */
export type EnumNames = ReadonlySet<string>;

function valueType(column: Column | undefined, enums: EnumNames): ValueType {
  const name = (column?.type?.name ?? "").replace(/^pg_catalog\./, "");
  return BY_NAME.get(name) ?? (enums.has(name) ? STRING : UNKNOWN);
}

/** 0 for a scalar, 1 for `bigint[]`, 2 for `bigint[][]`... */
function arrayDims(column: Column | undefined): number {
  return Math.max(column?.arrayDims ?? 0, column?.isArray ? 1 : 0);
}

/** The TypeScript type of a column or parameter, arrays and nullability included. */
export function tsType(column: Column | undefined, enums: EnumNames): string {
  const type = valueType(column, enums).ts + "[]".repeat(arrayDims(column));
  // `unknown` already includes null.
  return column?.notNull || type === "unknown" ? type : `${type} | null`;
}

/** An expression turning the driver's value held in `v` into the column's TypeScript type. */
export function decodeExpr(column: Column | undefined, enums: EnumNames, v: string): string {
  const { ts, decode } = valueType(column, enums);
  const dims = arrayDims(column);
  if (ts === "unknown" && dims === 0) return v;
  const expr = decode ? decodeElements(decode, v, dims) : `${v} as ${ts}${"[]".repeat(dims)}`;
  return column?.notNull ? expr : `${v} === null ? null : ${expr}`;
}

/** Decodes every element of a `dims`-dimensional array (the value itself when `dims` is 0). */
function decodeElements(decode: (v: string) => string, v: string, dims: number): string {
  if (dims === 0) return decode(v);
  const x = dims === 1 ? "x" : `x${dims}`;
  return `(${v} as unknown[]).map((${x}) => ${decodeElements(decode, x, dims - 1)})`;
}
