// The gateway's routing table, read at start-up from the google.api.http annotations in the
// service descriptors. Supported templates: literal segments and single-segment variables
// (`{user_id}` or `{user_id=*}`); anything else fails at start-up rather than misroute later.

import { type DescField, getOption, hasOption } from "@bufbuild/protobuf";
import { http } from "../../gen/proto/google/api/annotations_pb.ts";
import type { HttpRule } from "../../gen/proto/google/api/http_pb.ts";
import { methodPath } from "../rpc/call.ts";
import type { HandlerTable, MethodHandler } from "../rpc/handlers.ts";

type Segment = { readonly literal: string } | { readonly field: DescField };

export interface Route {
  readonly verb: string;
  readonly template: string;
  readonly segments: readonly Segment[];
  /** "*" binds the whole body to the request; "" means the route takes no body. */
  readonly body: string;
  readonly handler: MethodHandler;
}

export type RouteMatch =
  | { readonly kind: "found"; readonly route: Route; readonly params: ReadonlyMap<DescField, string> }
  | { readonly kind: "wrong-method"; readonly allowed: readonly string[] }
  | { readonly kind: "not-found" };

export function compileRoutes(table: HandlerTable): Route[] {
  const routes: Route[] = [];
  for (const handler of table.values()) {
    if (!hasOption(handler.method, http)) continue;
    const rule = getOption(handler.method, http);
    for (const binding of [rule, ...rule.additionalBindings]) routes.push(compileRule(handler, binding));
  }
  return routes;
}

function compileRule(handler: MethodHandler, rule: HttpRule): Route {
  const where = methodPath(handler.method);
  const { case: verb, value } = rule.pattern;
  if (verb === undefined || verb === "custom") throw new Error(`${where}: unsupported http rule`);
  const template = value;
  if (!template.startsWith("/") || template.includes(":")) {
    throw new Error(`${where}: unsupported path template ${template}`);
  }
  const segments = template
    .slice(1)
    .split("/")
    .map((part): Segment => {
      const variable = /^\{([a-z_][a-z0-9_]*)(=\*)?\}$/.exec(part);
      if (!variable) {
        if (/[{}*]/.test(part)) throw new Error(`${where}: unsupported path segment ${part}`);
        return { literal: part };
      }
      const field = handler.method.input.fields.find((f) => f.name === variable[1]);
      if (field?.fieldKind !== "scalar") {
        throw new Error(`${where}: path variable ${variable[1]} is not a scalar field`);
      }
      return { field };
    });
  if (rule.body !== "" && rule.body !== "*") throw new Error(`${where}: only body "*" is supported`);
  return { verb: verb.toUpperCase(), template, segments, body: rule.body, handler };
}

export function matchRoute(routes: readonly Route[], verb: string, path: string): RouteMatch {
  const parts = path.slice(1).split("/");
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    if (route.verb === verb) return { kind: "found", route, params };
    allowed.push(route.verb);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Map<DescField, string> | null {
  if (segments.length !== parts.length) return null;
  const params = new Map<DescField, string>();
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? "";
    if ("literal" in segment) {
      if (segment.literal !== part) return null;
    } else {
      if (part === "") return null;
      params.set(segment.field, part);
    }
  }
  return params;
}
