// An OpenAPI 3 document for the gateway, derived from the same routes and descriptors the
// gateway serves, so the docs cannot drift from the behaviour: summaries, descriptions, examples
// and each route's error statuses come from the proto comments, constraints from protovalidate
// (openapi-schema.ts). Bodies omit the fields bound from the path; a DELETE answering
// Empty is a 204 without a body, as the gateway sends it. `make lint` runs Redocly on the result.

import type { DescField } from "@bufbuild/protobuf";
import { type AnyService, methodPath } from "../rpc/call.ts";
import type { HandlerTable } from "../rpc/handlers.ts";
import { commentOf, type Schema, SchemaSet } from "./openapi-schema.ts";
import { compileRoutes, type Route } from "./routes.ts";

export interface ApiDocs {
  readonly services: readonly AnyService[];
  /** The service takes the caller's token from the x-auth-token header (optional). */
  readonly tokenHeader?: boolean;
}

const ERROR_CODES = [
  "INVALID_ARGUMENT",
  "UNAUTHENTICATED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "ABORTED",
  "FAILED_PRECONDITION",
  "RESOURCE_EXHAUSTED",
  "UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "INTERNAL",
];

/** The document for `docs.services`, routed as the gateway routes them. */
export function openApiDocument(title: string, docs: ApiDocs): Schema {
  return documentFor(title, docs, compileRoutes(describeOnly(docs.services)));
}

function documentFor(title: string, docs: ApiDocs, routes: readonly Route[]): Schema {
  const set = new SchemaSet();
  set.schemas.Error = {
    type: "object",
    description: "Every error answer: the gRPC status code name and a message for people.",
    required: ["code", "message"],
    properties: {
      code: { type: "string", enum: ERROR_CODES, example: "INVALID_ARGUMENT" },
      message: { type: "string", example: "count: value must be greater than 0" },
    },
  };
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    paths[route.template] ??= {};
    (paths[route.template] as Record<string, Schema>)[route.verb.toLowerCase()] = operation(route, set);
  }
  const service = docs.services[0];
  return {
    openapi: "3.0.3",
    info: {
      title,
      version: "v1",
      description: service ? commentOf(service.typeName).text || title : title,
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    servers: [{ url: "/", description: "this server" }],
    security: docs.tokenHeader ? [{}, { authToken: [] }] : [],
    tags: docs.services.map((s) => ({ name: s.name, description: commentOf(s.typeName).text || s.name })),
    paths,
    components: {
      schemas: set.schemas,
      ...(docs.tokenHeader
        ? {
            securitySchemes: {
              authToken: {
                type: "apiKey",
                in: "header",
                name: "x-auth-token",
                description: "The caller's product-service token; without it the service uses its own.",
              },
            },
          }
        : {}),
    },
  };
}

function operation(route: Route, set: SchemaSet): Schema {
  const { method } = route.handler;
  const comment = commentOf(`${method.parent.typeName}.${method.name}`);
  const [summary = method.name, ...rest] = comment.text.split("\n\n");
  const pathFields = new Set(route.segments.flatMap((s) => ("field" in s ? [s.field] : [])));
  const others = method.input.fields.filter((f) => !pathFields.has(f));
  const noContent = route.verb === "DELETE" && method.output.fields.length === 0;
  const errors = [{ status: 400, code: "INVALID_ARGUMENT", meaning: "a parameter or the body is invalid" }];
  for (const e of comment.errors) errors.push(e);
  const op: Schema = {
    operationId: `${method.parent.name}_${method.name}`,
    summary: summary.replace(/\.$/, ""),
    description: [rest.join("\n\n"), `gRPC: \`${methodPath(method)}\`.`].filter(Boolean).join("\n\n"),
    tags: [method.parent.name],
    parameters: [
      ...[...pathFields].map((f) => parameter(f, "path", set)),
      ...(route.body === "" ? others.map((f) => parameter(f, "query", set)) : []),
    ],
    responses: {
      [noContent ? "204" : "200"]: noContent
        ? { description: "Done (no body)." }
        : { description: "OK", content: { "application/json": { schema: set.ref(method.output) } } },
      ...Object.fromEntries(
        errors.map((e) => [
          String(e.status),
          {
            description: `${e.code}: ${e.meaning}`,
            content: {
              "application/json": {
                schema: { $ref: "#/components/schemas/Error" },
                example: { code: e.code, message: e.meaning },
              },
            },
          },
        ]),
      ),
    },
  };
  if (route.body === "*" && others.length > 0) {
    const body = set.object(others);
    op.requestBody = {
      required: Array.isArray(body.required),
      content: { "application/json": { schema: body } },
    };
  }
  return op;
}

function parameter(field: DescField, where: "path" | "query", set: SchemaSet): Schema {
  const { description, example, ...schema } = set.field(field);
  return {
    name: field.name,
    in: where,
    required: where === "path" || Array.isArray(set.object([field]).required),
    ...(description ? { description } : {}),
    ...(example !== undefined ? { example } : {}),
    schema,
  };
}

// The routes of services that are not running (for `make lint`'s documents): the same
// compileRoutes, over handlers that are never called.
function describeOnly(services: readonly AnyService[]): HandlerTable {
  const table = new Map<string, { method: AnyService["methods"][number]; invoke: () => never }>();
  for (const service of services) {
    for (const method of service.methods) {
      table.set(methodPath(method), {
        method,
        invoke: () => {
          throw new Error("describe-only handler");
        },
      });
    }
  }
  return table;
}
