// Postgres types → TypeScript types, and how a value from the `postgres` driver becomes one.
// The driver's defaults: int2/int4/float → number, int8/numeric → string, bool → boolean,
// timestamps/date → Date, json/jsonb → parsed value, bytea → Buffer, arrays → JS arrays.

import type { Column } from "../../gen/proto/plugin/codegen_pb.ts";

export interface TsType {
  /** The TypeScript type of one (non-array) value. */
  readonly ts: string;
  /** Converts one non-null driver value held in `v`; undefined when the value passes as is. */
  readonly decode?: (v: string) => string;
}

const NUMBER: TsType = { ts: "number" };
const BIGINT: TsType = { ts: "number", decode: (v) => `toSafeNumber(${v})` };
const STRING: TsType = { ts: "string" };

const BY_NAME: Readonly<Record<string, TsType>> = {
  int2: NUMBER,
  int4: NUMBER,
  smallint: NUMBER,
  integer: NUMBER,
  serial: NUMBER,
  serial4: NUMBER,
  smallserial: NUMBER,
  float4: NUMBER,
  float8: NUMBER,
  real: NUMBER,
  "double precision": NUMBER,
  int8: BIGINT,
  bigint: BIGINT,
  bigserial: BIGINT,
  serial8: BIGINT,
  numeric: STRING,
  decimal: STRING,
  text: STRING,
  varchar: STRING,
  bpchar: STRING,
  char: STRING,
  citext: STRING,
  uuid: STRING,
  name: STRING,
  bool: { ts: "boolean" },
  boolean: { ts: "boolean" },
  timestamptz: { ts: "Date" },
  timestamp: { ts: "Date" },
  date: { ts: "Date" },
  json: { ts: "unknown" },
  jsonb: { ts: "unknown" },
  bytea: { ts: "Uint8Array" },
};

const UNKNOWN: TsType = { ts: "unknown" };

export function columnType(column: Column | undefined, enums: ReadonlySet<string>): TsType {
  const raw = column?.type?.name ?? "";
  const name = raw.replace(/^pg_catalog\./, "");
  return BY_NAME[name] ?? (enums.has(name) ? STRING : UNKNOWN);
}

/** The full TypeScript type of a column or parameter: arrays and nullability included. */
export function fullType(column: Column | undefined, enums: ReadonlySet<string>): string {
  const base = columnType(column, enums).ts;
  const withArray = column?.isArray || (column?.arrayDims ?? 0) > 0 ? `${base}[]` : base;
  return column?.notNull ? withArray : `${withArray} | null`;
}

/** An expression converting the driver's value `v` to the column's TypeScript type. */
export function decodeExpr(column: Column | undefined, enums: ReadonlySet<string>, v: string): string {
  const { decode, ts } = columnType(column, enums);
  const isArray = column?.isArray || (column?.arrayDims ?? 0) > 0;
  const type = isArray ? `${ts}[]` : ts;
  let expr: string;
  if (!decode) expr = `${v} as ${type}`;
  else if (isArray) expr = `(${v} as unknown[]).map((x) => ${decode("x")})`;
  else expr = decode(v);
  return column?.notNull ? expr : `${v} === null ? null : ${expr}`;
}
