// Protobuf JSON as the public contract wants it: proto field names (snake_case) on output,
// every field present, and 64-bit integers as JSON numbers. Proto3 JSON writes 64-bit values
// as strings; our ids and totals are bounded by validation to the safe-integer range, so we
// write numbers, as the REST contract (`{"order_id": N}`) promises. Values outside the safe range
// (none by contract) stay strings rather than lose precision.

import {
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";

const WIDE = new Set<ScalarType>([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

export function toJsonObject<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonValue {
  const json = toJson(schema, message, { useProtoFieldName: true, alwaysEmitImplicit: true });
  return widenNumbers(schema, json);
}

function widenNumbers(schema: DescMessage, json: JsonValue): JsonValue {
  // Well-known types (Timestamp, Duration, wrappers...) have their own JSON forms: leave them be.
  if (schema.file.name.startsWith("google/protobuf/")) return json;
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  const out: JsonObject = { ...json };
  for (const field of schema.fields) {
    const value = out[field.name];
    if (value !== undefined) out[field.name] = widenField(field, value);
  }
  return out;
}

function widenField(field: DescField, value: JsonValue): JsonValue {
  switch (field.fieldKind) {
    case "scalar":
      return WIDE.has(field.scalar) ? toNumber(value) : value;
    case "message":
      return widenNumbers(field.message, value);
    case "list":
      if (!Array.isArray(value)) return value;
      if (field.listKind === "scalar" && WIDE.has(field.scalar)) return value.map(toNumber);
      if (field.listKind === "message") return value.map((v) => widenNumbers(field.message, v));
      return value;
    case "map":
      if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          field.mapKind === "message"
            ? widenNumbers(field.message, v)
            : field.mapKind === "scalar" && WIDE.has(field.scalar)
              ? toNumber(v)
              : v,
        ]),
      );
    default:
      return value;
  }
}

function toNumber(value: JsonValue): JsonValue {
  if (typeof value !== "string") return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}
