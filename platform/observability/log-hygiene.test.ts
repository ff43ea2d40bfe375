// The logs of failing requests, grepped for what must never be in them: the caller's token, a
// database password, row values from a Postgres error's detail. Real Postgres errors, the real
// logging interceptor and the real migration runner, into a captured log stream.

import { expect, test } from "bun:test";
import { create, type Message } from "@bufbuild/protobuf";
import pino from "pino";
import { GetProductRequestSchema, ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { freePort } from "../../tests/support/free-port.ts";
import { useServiceDatabase } from "../../tests/support/postgres.ts";
import { Database } from "../db/postgres.ts";
import { migrate } from "../dev/migrate.ts";
import { newCall } from "../rpc/call.ts";
import { backgroundCtx } from "../rpc/context.ts";
import { authTokenKey, withValue } from "../rpc/context-values.ts";
import { loggingInterceptor } from "../rpc/interceptors/logging.ts";
import { loggerOptions } from "./logger.ts";

const database = useServiceDatabase("loms");
const TOKEN = "tok-SECRET-4711";
const PASSWORD = "pw-SECRET-0815";
const ROW_VALUE = 987654321;

function capture() {
  const lines: string[] = [];
  const logger = pino(loggerOptions("debug"), { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join("") };
}

/** Runs `work` as a server call through the logging interceptor, with the caller's token in ctx. */
async function failingCall(logger: pino.Logger, work: () => Promise<unknown>): Promise<void> {
  const req = create(GetProductRequestSchema, { sku: 1n, token: TOKEN });
  const ctx = withValue(backgroundCtx(), authTokenKey, TOKEN);
  const call = newCall(ProductService.method.getProduct, ctx, "server", "grpc");
  call.header.set("x-auth-token", TOKEN);
  const handler = loggingInterceptor(logger)(async () => (await work()) as Message);
  await handler(req, call).catch(() => {});
}

test("a failing run logs causes, never tokens, passwords or row values", async () => {
  const { logger, text } = capture();
  const db = database();

  // INTERNAL: a unique violation whose detail names the row ("Key (sku)=(987654321) already exists").
  await db.query("insert into stocks (sku, total_count) values ($1, 1)", [ROW_VALUE]);
  await failingCall(logger, () =>
    db.query("insert into stocks (sku, total_count) values ($1, 1)", [ROW_VALUE]),
  );

  // UNAVAILABLE: a database that is not there, reached with a password.
  const port = await freePort();
  const down = new Database({
    url: `postgres://loms:${PASSWORD}@127.0.0.1:${port}/loms`,
    max: 1,
    applicationName: "t",
  });
  await failingCall(logger, () => down.query("select 1", []));
  await down.close();

  // The migration runner failing against the same absent database.
  const migration = await migrate(
    `postgres://loms:${PASSWORD}@127.0.0.1:${port}/loms`,
    "sql/loms/migrations",
  ).catch((err: unknown) => err);
  logger.error({ err: migration }, "migrations failed");

  const logs = text();
  expect(logs).toContain("23505"); // the INTERNAL's cause: its SQLSTATE
  expect(logs).toContain("UNAVAILABLE");
  expect(logs).toMatch(/ECONNREFUSED|CONNECTION/); // the UNAVAILABLE's cause
  expect(logs).toContain("migrations in sql/loms/migrations failed");
  expect(logs).not.toContain(TOKEN);
  expect(logs).not.toContain(PASSWORD);
  expect(logs).not.toContain(String(ROW_VALUE));
}, 60_000);
