// The container HEALTHCHECK: exit 0 when this container's service answers 200 on /readyz.
// Each service's env file sets exactly one <SERVICE>_HTTP_PORT, which names the port to ask.

const ports = Object.entries(process.env).filter(([name]) => name.endsWith("_HTTP_PORT"));
if (ports.length !== 1) {
  console.error(
    `healthcheck: expected one *_HTTP_PORT variable, found ${ports.map(([n]) => n).join(", ") || "none"}`,
  );
  process.exit(1);
}
const [name, port] = ports[0] ?? [];
try {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok)
    console.error(`healthcheck: /readyz on ${name}=${port} answered ${res.status}: ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: /readyz on ${name}=${port}: ${(err as Error).message}`);
  process.exit(1);
}
