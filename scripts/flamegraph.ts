// Renders a .cpuprofile (Bun's --cpu-prof, e.g. from BENCH_PROFILE_DIR) as a flame graph PNG,
// offline: speedscope's static viewer (npm, pinned) is served from here on a free loopback port
// and headless Chromium (Debian's `chromium`) screenshots its left-heavy view.
//   bun scripts/flamegraph.ts <profile.cpuprofile> <out.png> [title]

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";

const [profile, out, title = "profile"] = process.argv.slice(2);
if (!profile || !out)
  throw new Error("usage: bun scripts/flamegraph.ts <profile.cpuprofile> <out.png> [title]");
const viewer = "node_modules/speedscope/dist/release";
const types: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
};

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  try {
    const body =
      path === "/profile.cpuprofile"
        ? readFileSync(profile)
        : readFileSync(join(viewer, path === "/" ? "index.html" : path));
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const port = typeof address === "object" && address ? address.port : 0;
const url = `http://127.0.0.1:${port}/index.html#profileURL=/profile.cpuprofile&view=left-heavy&title=${encodeURIComponent(title)}`;
// Chromium runs while this process keeps serving: spawn it asynchronously and wait for its exit.
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1600,1000"];
args.push("--virtual-time-budget=10000", `--screenshot=${out}`, url);
const code = await new Promise<number | null>((resolve) =>
  spawn("chromium", args, { stdio: "ignore" }).once("exit", resolve),
);
server.close();
if (code !== 0) throw new Error(`chromium exited with ${code}`);
console.log(`${out} written`);
