// A span per Postgres statement run through the pool, a transaction or a savepoint: named by
// verb and table, never with SQL text or parameters.

import { SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";

/**
 * The statement's verb; for one that starts WITH, the first data-modifying verb inside it (an
 * order inserted with its items and event is an INSERT, not a WITH).
 */
export function statementVerb(text: string): string {
  const first = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
  if (first !== "WITH") return first;
  return /\b(insert|update|delete)\b/i.exec(text)?.[1]?.toUpperCase() ?? "SELECT";
}

// The span is named by the statement's verb and table ("SELECT orders"): enough to read a
// trace, while the SQL text and its parameters stay out of the span as they stay out of logs.
export async function traced<T>(tracer: Tracer, text: string, fn: () => Promise<T>): Promise<T> {
  const verb = statementVerb(text);
  const table = /\b(?:from|into|update|join)\s+"?(\w+)/i.exec(text)?.[1];
  const name = table ? `${verb} ${table}` : verb;
  const attributes = {
    "db.system.name": "postgresql",
    "db.operation.name": verb,
    ...(table && { "db.collection.name": table }),
  };
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { code?: string }).code ?? "error" });
      throw err;
    } finally {
      span.end();
    }
  });
}
