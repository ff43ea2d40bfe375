// An OpenAPI 3 document for the gateway, derived from the same routes and descriptors the
// gateway serves, so the docs cannot drift from the behaviour. 64-bit integers are numbers, as
// the gateway writes them; bodies omit the fields bound from the path.

import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { Route } from "./routes.ts";

type Schema = Record<string, unknown>;

export function openApiDocument(title: string, routes: readonly Route[]): Schema {
  const schemas: Record<string, Schema> = {
    Error: {
      type: "object",
      properties: { code: { type: "string", example: "INVALID_ARGUMENT" }, message: { type: "string" } },
    },
  };
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const { method } = route.handler;
    const pathFields = new Set(route.segments.flatMap((s) => ("field" in s ? [s.field.name] : [])));
    const rest = method.input.fields.filter((f) => !pathFields.has(f.name));
    const operation: Schema = {
      operationId: `${method.parent.name}_${method.name}`,
      tags: [method.parent.name],
      parameters: [
        ...[...pathFields].map((name) => ({ name, in: "path", required: true, schema: { type: "integer" } })),
        ...(route.body === ""
          ? rest.map((f) => ({ name: f.name, in: "query", schema: fieldSchema(f, schemas) }))
          : []),
      ],
      responses: {
        [route.verb === "DELETE" && method.output.fields.length === 0 ? "204" : "200"]: {
          description: "OK",
          content: { "application/json": { schema: messageRef(method.output, schemas) } },
        },
        default: {
          description: "Error: 400 invalid input, 404 not found, 412 precondition failed, 5xx...",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    };
    if (route.body === "*") {
      operation.requestBody = {
        required: false,
        content: { "application/json": { schema: objectSchema(rest, schemas) } },
      };
    }
    paths[route.template] ??= {};
    (paths[route.template] as Record<string, Schema>)[route.verb.toLowerCase()] = operation;
  }
  return { openapi: "3.0.3", info: { title, version: "v1" }, paths, components: { schemas } };
}

function messageRef(desc: DescMessage, schemas: Record<string, Schema>): Schema {
  if (desc.typeName === "google.protobuf.Empty") return { type: "object" };
  if (desc.typeName === "google.protobuf.Timestamp") return { type: "string", format: "date-time" };
  if (!schemas[desc.typeName]) {
    schemas[desc.typeName] = {}; // placeholder first: recursive messages terminate
    schemas[desc.typeName] = objectSchema(desc.fields, schemas);
  }
  return { $ref: `#/components/schemas/${desc.typeName}` };
}

function objectSchema(fields: readonly DescField[], schemas: Record<string, Schema>): Schema {
  return {
    type: "object",
    properties: Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f, schemas)])),
  };
}

function fieldSchema(field: DescField, schemas: Record<string, Schema>): Schema {
  switch (field.fieldKind) {
    case "scalar":
      return scalarSchema(field.scalar);
    case "enum":
      return { type: "string", enum: field.enum.values.map((v) => v.name) };
    case "message":
      return messageRef(field.message, schemas);
    case "list":
      return {
        type: "array",
        items:
          field.listKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.listKind === "message"
              ? messageRef(field.message, schemas)
              : { type: "string" },
      };
    case "map":
      return { type: "object", additionalProperties: true };
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
    case ScalarType.FLOAT:
      return { type: "number" };
    default:
      return { type: "integer" };
  }
}
