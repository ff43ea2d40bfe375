// The ceiling again, on the runtime's native HTTP server (Bun.serve) instead of node:http: the
// most that moving platform/http/server.ts off node:http could gain, measured in the same run.

declare const Bun: {
  serve(options: { port: number; hostname: string; fetch: () => Response }): { port: number; stop(): void };
};

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () => new Response('{"items":[]}', { headers: { "content-type": "application/json" } }),
});
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});
