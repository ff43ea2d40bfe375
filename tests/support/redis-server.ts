// A real redis-server on a free loopback port for tests that must not touch the stack's Redis
// (no persistence, data in memory only). Stopped by its own pid; restartable on the same port.

import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { stopChild } from "./child.ts";
import { freePort } from "./free-port.ts";

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    start: async () => {
      child = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        {
          stdio: "ignore",
        },
      );
      await waitForPort(port, 10_000);
    },
    stop: async () => {
      const c = child;
      child = undefined;
      if (c) await stopChild(c, "SIGKILL");
    },
  };
  await server.start();
  return server;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
