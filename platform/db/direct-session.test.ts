// A DirectSession whose backend dies must fail its queries, not the process: postgres.js 3.4.9
// crashes on a reserved connection's next write after the socket closed (porsager/postgres#1208),
// which patches/postgres+3.4.9.patch guards. The session runs in a child process so that the
// crash, if the patch is missing, shows up as that child's exit instead of killing the test run.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { startTestPostgres, type TestPostgres } from "../../tests/support/postgres.ts";

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres(["loms"]);
});
afterAll(async () => {
  await pg?.stop();
});

test("queries on a session whose backend was terminated reject; the process survives", () => {
  const child = spawnSync(process.execPath, ["tests/support/lost-session-child.ts", pg.url("loms")], {
    encoding: "utf8",
    timeout: 15_000,
  });
  expect(child.stderr).not.toContain("socket.write");
  expect(child.stdout.trim().split("\n")).toEqual([
    "DRIVER CONNECTION_CLOSED",
    "DRIVER CONNECTION_CLOSED",
    "DRIVER CONNECTION_CLOSED",
    "SESSION UNAVAILABLE",
    "SESSION UNAVAILABLE",
    "SURVIVED",
  ]);
  expect(child.status).toBe(0);
}, 60_000);
