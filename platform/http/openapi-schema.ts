// JSON Schema (OpenAPI 3.0 dialect) for protobuf messages and fields, as the gateway reads and
// writes them: 64-bit integers as JSON numbers with format int64, protovalidate rules as
// minimum/maximum/minItems/required, and the `Example:` line of a field's proto comment as its
// example (comments come from gen/proto/comments.ts).

import { type DescField, type DescMessage, getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import { field as fieldRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { protoComments } from "../../gen/proto/comments.ts";

export type Schema = Record<string, unknown>;

/** A comment split into its prose, its `Example:` value and its status lines ("404 NOT_FOUND: ..."). */
export interface ParsedComment {
  readonly text: string;
  readonly example?: unknown;
  readonly errors: readonly { status: number; code: string; meaning: string }[];
}

export function commentOf(fullName: string): ParsedComment {
  const prose: string[] = [];
  const errors: { status: number; code: string; meaning: string }[] = [];
  let example: unknown;
  for (const line of (protoComments[fullName] ?? "").split("\n")) {
    const exampleLine = /^Example: (.+)$/.exec(line);
    const errorLine = /^(\d{3}) ([A-Z_]+): (.+)$/.exec(line);
    if (exampleLine) example = JSON.parse(exampleLine[1] ?? "null");
    else if (errorLine)
      errors.push({ status: Number(errorLine[1]), code: errorLine[2] ?? "", meaning: errorLine[3] ?? "" });
    else prose.push(line);
  }
  return { text: prose.join("\n").trim(), example, errors };
}

export class SchemaSet {
  readonly schemas: Record<string, Schema> = {};

  /** A $ref to the message's schema, adding it (and what it uses) on first sight. */
  ref(desc: DescMessage): Schema {
    if (desc.typeName === "google.protobuf.Empty") return { type: "object" };
    if (desc.typeName === "google.protobuf.Timestamp") return { type: "string", format: "date-time" };
    if (!this.schemas[desc.typeName]) {
      this.schemas[desc.typeName] = {}; // placeholder first: recursive messages terminate
      const { text } = commentOf(desc.typeName);
      this.schemas[desc.typeName] = { ...this.object(desc.fields), ...(text ? { description: text } : {}) };
    }
    return { $ref: `#/components/schemas/${desc.typeName}` };
  }

  object(fields: readonly DescField[]): Schema {
    const required = fields.filter(isRequired).map((f) => f.name);
    return {
      type: "object",
      properties: Object.fromEntries(fields.map((f) => [f.name, this.field(f)])),
      ...(required.length > 0 ? { required } : {}),
    };
  }

  field(field: DescField): Schema {
    const { text, example } = commentOf(`${field.parent.typeName}.${field.name}`);
    return {
      ...this.shape(field),
      ...ruleSchema(field),
      ...(text ? { description: text } : {}),
      ...(example !== undefined ? { example } : {}),
    };
  }

  private shape(field: DescField): Schema {
    switch (field.fieldKind) {
      case "scalar":
        return scalarSchema(field.scalar);
      case "enum":
        return { type: "string", enum: field.enum.values.map((v) => v.name) };
      case "message":
        return this.ref(field.message);
      case "list":
        return {
          type: "array",
          items:
            field.listKind === "scalar"
              ? scalarSchema(field.scalar)
              : field.listKind === "message"
                ? this.ref(field.message)
                : { type: "string" },
        };
      case "map":
        return { type: "object", additionalProperties: true };
    }
  }
}

function scalarSchema(scalar: ScalarType): Schema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.BYTES:
      return { type: "string", format: "byte" };
    case ScalarType.DOUBLE:
      return { type: "number", format: "double" };
    case ScalarType.FLOAT:
      return { type: "number", format: "float" };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "int64", minimum: 0, maximum: 4294967295 };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "integer", format: "int64", minimum: 0 };
    default:
      return { type: "integer", format: "int64" };
  }
}

/** protovalidate's numeric bounds, repeated sizes and string limits, in JSON Schema words. */
function ruleSchema(field: DescField): Schema {
  if (!hasOption(field, fieldRules)) return {};
  const rules = getOption(field, fieldRules);
  const out: Schema = {};
  const { case: kind, value } = rules.type;
  if (kind === "repeated") {
    if (value.minItems > 0n) out.minItems = Number(value.minItems);
    if (value.maxItems > 0n) out.maxItems = Number(value.maxItems);
    return out;
  }
  if (kind === "string") {
    if (value.maxLen !== undefined) out.maxLength = Number(value.maxLen);
    if (value.pattern !== undefined) out.pattern = value.pattern;
    return out;
  }
  if (!value || !("greaterThan" in value)) return out;
  const bound = (b: { case?: string; value?: unknown }, name: "minimum" | "maximum", exclusive: string) => {
    if (b.case === undefined) return;
    out[name] = Number(b.value);
    if (b.case === exclusive) out[name === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] = true;
  };
  bound(value.greaterThan, "minimum", "gt");
  bound(value.lessThan, "maximum", "lt");
  return out;
}

/** Required when the rules reject the field's zero value (proto3 cannot tell absent from zero). */
function isRequired(field: DescField): boolean {
  if (!hasOption(field, fieldRules)) return false;
  const rules = getOption(field, fieldRules);
  if (rules.required) return true;
  const { case: kind, value } = rules.type;
  if (kind === "repeated") return value.minItems > 0n;
  if (value && "greaterThan" in value) {
    const lower = value.greaterThan;
    return (
      (lower.case === "gt" && Number(lower.value) >= 0) || (lower.case === "gte" && Number(lower.value) > 0)
    );
  }
  return false;
}
