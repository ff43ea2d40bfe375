// Static consistency check of compose.yaml against the Docker-free stack scripts (no Docker
// engine exists here to run it): the same published ports as scripts/lib/common.sh and
// deploy/env, every mounted ./deploy path and env_file present, every image tag pinned, the
// service entry points present, and the Dockerfile's Bun matching package.json; the app image
// built by exactly one service and reused by tag by every app service, each with a healthcheck,
// and app dependencies waiting for health; the Dockerfile production-only and non-root; and
// the rules of scripts/compose-rules.ts.
// Exits non-zero listing every problem. Run by `make test` (scripts/test.sh).

import { existsSync, readFileSync } from "node:fs";
import { composeRuleProblems } from "./compose-rules.ts";

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  env_file?: string[];
  ports?: string[];
  volumes?: string[];
};

const problems: string[] = [];
const compose = Bun.YAML.parse(readFileSync("compose.yaml", "utf8")) as { services: Record<string, Service> };
const services = compose.services;

// Host ports the scripts use (scripts/lib/common.sh), by compose service name.
const common = readFileSync("scripts/lib/common.sh", "utf8");
const expected = new Map<string, number>();
for (const [array, prefix] of [
  ["PG_PORT", "postgres-"],
  ["BOUNCER_PORT", "pgbouncer-"],
  ["KAFKA_PORT", "kafka-"],
] as const) {
  const body = new RegExp(`declare -A ${array}=\\(([^)]*)\\)`).exec(common)?.[1] ?? "";
  for (const [, key, port] of body.matchAll(/\[(\w+)\]=(\d+)/g))
    expected.set(`${prefix}${key}`, Number(port));
}
const redisPorts = /REDIS_PORTS=\(([^)]*)\)/.exec(common)?.[1]?.trim().split(/\s+/) ?? [];
for (const [i, port] of redisPorts.entries()) expected.set(`redis-${i + 1}`, Number(port));
expected.set("prometheus", Number(/PROMETHEUS_PORT=(\d+)/.exec(common)?.[1]));
const notificationPorts = /NOTIFICATIONS_PORTS=\(([^)]*)\)/.exec(common)?.[1]?.trim().split(/\s+/) ?? [];
for (const [i, port] of notificationPorts.entries()) expected.set(`notifications-${i + 1}`, Number(port));
// Prometheus must scrape every notifications instance, in both its configs.
for (const [file, host] of [
  ["deploy/prometheus/prometheus.yml", () => "127.0.0.1"],
  ["deploy/prometheus/prometheus.compose.yml", (i: number) => `notifications-${i + 1}`],
] as const) {
  const config = readFileSync(file, "utf8");
  for (const [i, port] of notificationPorts.entries()) {
    if (!config.includes(`"${host(i)}:${port}"`))
      problems.push(`${file} does not scrape notifications on ${port}`);
  }
}
expected.set("jaeger", Number(/JAEGER_QUERY_PORT=(\d+)/.exec(common)?.[1]));
// Each service's HTTP and gRPC ports from deploy/env/<service>.env.
for (const name of ["cart", "loms", "product-mock", "notifications"]) {
  const file = `deploy/env/${name}.env`;
  if (!existsSync(file)) continue;
  for (const [, kind, port] of readFileSync(file, "utf8").matchAll(/^\w+_(HTTP|GRPC)_PORT=(\d+)$/gm)) {
    if (services[name]) expectPublished(name, Number(port), `${kind} port in ${file}`);
  }
}
if (expected.size < 13 || notificationPorts.length === 0)
  problems.push(`could not read the stack topology from scripts/lib/common.sh`);
for (const [name, port] of expected) expectPublished(name, port, "scripts/lib/common.sh");

for (const [name, svc] of Object.entries(services)) {
  if (svc.image !== undefined && !/^[\w./-]+:[\w.-]+$/.test(svc.image))
    problems.push(`${name}: image "${svc.image}" has no tag`);
  if (svc.image?.endsWith(":latest")) problems.push(`${name}: image "${svc.image}" is not pinned`);
  if (svc.image === undefined && svc.build === undefined) problems.push(`${name}: neither image nor build`);
  for (const file of svc.env_file ?? [])
    if (!existsSync(file)) problems.push(`${name}: env_file ${file} missing`);
  for (const volume of svc.volumes ?? []) {
    const source = volume.split(":")[0] ?? "";
    if (source.startsWith("./") && !existsSync(source)) problems.push(`${name}: mounted ${source} missing`);
  }
  const entry = svc.command?.[0];
  if (entry?.endsWith(".ts") && !existsSync(entry)) problems.push(`${name}: entry point ${entry} missing`);
}

// One app image: built by one service, reused by tag (not rebuilt) by every app service.
const builders = Object.entries(services).filter(([, svc]) => svc.build !== undefined);
const appImage = builders[0]?.[1].image;
if (builders.length !== 1 || appImage === undefined) {
  problems.push(
    `exactly one service should build the app image, with an image tag (found ${builders.length})`,
  );
}
const apps = Object.entries(services).filter(([, svc]) => svc.command?.[0]?.endsWith("/main.ts"));
if (apps.length < 3)
  problems.push(`expected the app services (cart, loms, product-mock), found ${apps.length}`);
for (const [name, svc] of apps) {
  if (svc.image !== appImage)
    problems.push(`${name}: should run the app image ${appImage}, not ${svc.image}`);
  if (!svc.healthcheck?.test?.join(" ").includes("healthcheck.ts"))
    problems.push(`${name}: no /readyz healthcheck`);
  const deps = Array.isArray(svc.depends_on) ? {} : (svc.depends_on ?? {});
  for (const [dep, { condition }] of Object.entries(deps)) {
    const appDep = apps.some(([other]) => other === dep);
    if (appDep && condition !== "service_healthy")
      problems.push(`${name}: should wait for ${dep} to be healthy`);
  }
}
const dockerfile = readFileSync("Dockerfile", "utf8");
for (const [pattern, why] of [
  [/--omit=dev/, "installs development dependencies"],
  [/\nUSER bun\n/, "does not drop root"],
  [/\nHEALTHCHECK /, "has no HEALTHCHECK"],
] as const) {
  if (!pattern.test(dockerfile)) problems.push(`Dockerfile ${why}`);
}

const bun = (JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: Record<string, string> })
  .devDependencies.bun;
if (!readFileSync("Dockerfile", "utf8").includes(`FROM oven/bun:${bun}`)) {
  problems.push(`Dockerfile does not use oven/bun:${bun} (package.json's bun)`);
}

function expectPublished(name: string, port: number, source: string) {
  const svc = services[name];
  if (!svc) return void problems.push(`${name} (port ${port}, from ${source}) is not in compose.yaml`);
  // "127.0.0.1:5433:5432" or "5433:5432": the host port is the one before the container's.
  const published = (svc.ports ?? []).map((p) => Number(String(p).split(":").at(-2)));
  if (!published.includes(port)) problems.push(`${name}: host port ${port} (from ${source}) not published`);
}

// Then the classes of mistake scripts/compose-rules.ts catches (image contents, loopback
// configs, unread variables, lock-down).
problems.push(...composeRuleProblems("."));

if (problems.length > 0) {
  console.error(`compose.yaml is inconsistent with the stack scripts:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`compose.yaml: ${Object.keys(services).length} services consistent with the stack scripts`);
