// The ceiling of every bench table: the most trivial HTTP server this runtime can run
// (node:http, a fixed JSON body), measured in the same run as the services, so that each
// figure can be read as a ratio to what the machine could do at that moment.

import { createServer } from "node:http";

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"items":[]}');
});
// The load tool resets its connections when a run ends; that is not this server's failure.
server.on("connection", (socket) => socket.on("error", () => {}));
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
