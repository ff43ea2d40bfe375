// Every Redis command sent during a traced call becomes a CLIENT child span of the active one,
// like Postgres statements (../db/postgres.ts): named by the command alone ("GET", "SET",
// "EVALSHA"), with the shard's address. Keys, values and script arguments never reach a span
// (keys hold SKUs and limiter names, values hold cached data); a miss (GET → null) is a normal
// reply, not an error.
//
// Why a wrapper and not @opentelemetry/instrumentation-ioredis: that package patches ioredis
// through module-load hooks (require-in-the-middle) and reports to the global tracer provider.
// Our ESM imports on Bun and Deno pass through no such hook, each service has its own provider
// (four share one process in embedded mode), and its default `db.statement` carries command
// arguments. Wrapping `sendCommand` — the one method every ioredis command, script calls
// included, goes through — on each client we create is a few lines with none of that.

import { context, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { Redis } from "ioredis";

export function traceCommands(client: Redis, tracer: Tracer, server: { host: string; port: number }): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, stream) => {
    // Outside a traced call (the connection's own INFO and CLIENT SETINFO on every reconnect)
    // a span would be a one-span trace of its own: noise.
    if (!trace.getSpan(context.active())) return send(command, stream);
    const span = tracer.startSpan(command.name.toUpperCase(), {
      kind: SpanKind.CLIENT,
      attributes: {
        "db.system.name": "redis",
        "db.operation.name": command.name.toUpperCase(),
        "server.address": server.host,
        "server.port": server.port,
      },
    });
    // A script's first call on a connection is rewritten to EVAL when written (ioredis' Script),
    // so the final name is read once the reply is in.
    const end = () => {
      const operation = command.name.toUpperCase();
      span.updateName(operation);
      span.setAttribute("db.operation.name", operation);
      span.end();
    };
    command.promise.then(end, (err: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorKind(err) });
      end();
    });
    return send(command, stream);
  };
}

// A reply error's text may quote the script or its arguments: only Redis' error prefix
// (WRONGTYPE, NOSCRIPT, ERR, ...) is kept. ioredis' own errors (connection closed, command timed
// out, stream not writeable) carry no data.
function errorKind(err: unknown): string {
  if (!(err instanceof Error)) return "error";
  if (err.name === "ReplyError") return /^[A-Z]+/.exec(err.message)?.[0] ?? "ReplyError";
  return err.message;
}
