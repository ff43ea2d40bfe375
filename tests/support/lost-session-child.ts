// Run by platform/db/direct-session.test.ts as its own process, with a Postgres URL as argv[2].
// 1. The driver: a reserved connection (what DirectSession holds) whose backend another
//    connection terminates, then small queries on it. Unpatched postgres.js 3.4.9 throws an
//    uncaught TypeError from nextWrite and the process dies (porsager/postgres#1208); patched,
//    each query rejects: prints "DRIVER <code>" per query.
// 2. The same for a DirectSession: prints "SESSION <code>" per query, then "SURVIVED".

import postgres from "postgres";
import { DirectSession } from "../../platform/db/direct-session.ts";

const url = process.argv[2];
if (!url) throw new Error("usage: lost-session-child.ts <postgres url>");
const signal = new AbortController().signal;

async function terminate(pid: unknown): Promise<void> {
  const killer = postgres(url as string, { max: 1, onnotice: () => {} });
  await killer`select pg_terminate_backend(${pid as number})`;
  await killer.end();
  // Let the client see the close (closed() nulls the socket) before the next, small, write.
  await Bun.sleep(300);
}
const codeOf = (err: { code?: string }) => err.code ?? "unknown";

const sql = postgres(url, { max: 1, onnotice: () => {} });
const reserved = await sql.reserve();
await terminate((await reserved`select pg_backend_pid() as pid`)[0]?.pid);
for (let i = 0; i < 3; i++) {
  console.log(`DRIVER ${await reserved`select 1`.then(() => "RESOLVED", codeOf)}`);
}
reserved.release();
await sql.end({ timeout: 1 });

const session = await DirectSession.open(url, "lost-session-child");
const { rows } = await session.inTx(signal, (db) => db.query("select pg_backend_pid()", []));
await terminate(rows[0]?.[0]);
for (let i = 0; i < 2; i++) {
  console.log(`SESSION ${await session.tryLock(42, signal).then(() => "RESOLVED", codeOf)}`);
}
await session.close();
console.log("SURVIVED");
