// scripts/compose-rules.ts on the repository (clean) and on copies broken one way at a time:
// each class of mistake (a file the image lacks, a loopback config, a variable no code reads,
// a port, a password, Grafana, Node or an image not locked down) is reported, by service.

import { afterEach, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { composeRuleProblems, effectiveEnv, type Service } from "./compose-rules.ts";

const CODE = ["cart", "loms", "notifications", "product-mock", "platform"];
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of what the rules read, with `edits` applied (file → text → text). */
function brokenCopy(edits: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(tmpdir(), "compose-rules-"));
  dirs.push(dir);
  for (const name of CODE) symlinkSync(resolve(name), join(dir, name));
  for (const name of ["compose.yaml", "Dockerfile", ".dockerignore", "deploy"])
    cpSync(name, join(dir, name), { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const before = readFileSync(join(dir, file), "utf8");
    const after = edit(before);
    expect(after).not.toBe(before); // the edit applies to today's file
    writeFileSync(join(dir, file), after);
  }
  return dir;
}

const replace = (from: string | RegExp, to: string) => (text: string) => text.replace(from, to);

test("the repository's compose.yaml, Dockerfile and configs break no rule", () => {
  expect(composeRuleProblems(".")).toEqual([]);
});

test.each([
  [
    "a service runs a file the Dockerfile does not copy",
    { Dockerfile: replace("COPY notifications ./notifications\n", "") },
    "notifications-2: runs notifications/main.ts, which the Dockerfile does not copy into the image",
  ],
  [
    "a service runs a file .dockerignore keeps out",
    { ".dockerignore": (t: string) => `${t}cart\n` },
    "cart: runs cart/main.ts, which .dockerignore keeps out of the image",
  ],
  [
    "a mounted Redis config binds loopback",
    { "deploy/redis/redis.conf": (t: string) => `bind 127.0.0.1 -::1\n${t}` },
    'redis-1: mounted deploy/redis/redis.conf binds loopback: "bind 127.0.0.1 -::1"',
  ],
  [
    "Redis without a password keeps protected mode",
    { "compose.yaml": replace(/, "--protected-mode", "no"\]/g, "]") },
    "redis-2: Redis without a password keeps protected mode on, which admits loopback clients only",
  ],
  [
    "Jaeger's config falls back to loopback when compose no longer sets its host",
    { "compose.yaml": replace("      JAEGER_LISTEN_HOST: 0.0.0.0\n", "") },
    'jaeger: mounted deploy/jaeger/config.yaml binds loopback: "endpoint: "${env:JAEGER_LISTEN_HOST:-127.0.0.1}:16686""',
  ],
  [
    "an app service gets a variable its code never reads",
    {
      "compose.yaml": replace(
        "      CART_HOST: 0.0.0.0\n",
        "      CART_HOST: 0.0.0.0\n      CART_REDIS_URL: redis://redis-1:6379\n",
      ),
    },
    "cart: sets CART_REDIS_URL, which cart's code never reads",
  ],
  [
    "a port published on every interface",
    { "compose.yaml": replace('"127.0.0.1:5434:5432"', '"5434:5432"') },
    "postgres-loms: publishes 5434:5432 on every interface (bind it to 127.0.0.1:)",
  ],
  [
    "a password written into compose.yaml",
    {
      "compose.yaml": replace(
        "POSTGRES_PASSWORD: ${CART_DB_PASSWORD:?run make compose-env}",
        "POSTGRES_PASSWORD: cart",
      ),
    },
    "postgres-cart: POSTGRES_PASSWORD has a password written into compose.yaml, not ${VAR} from .env",
  ],
  [
    "a password in a URL written into compose.yaml",
    {
      "compose.yaml": replace(
        "postgres://loms:${LOMS_DB_PASSWORD}@pgbouncer-loms",
        "postgres://loms:loms@pgbouncer-loms",
      ),
    },
    "loms: LOMS_DATABASE_URL has a password written into compose.yaml, not ${VAR} from .env",
  ],
  [
    "a password on a command line",
    {
      "compose.yaml": replace(
        "--env MIGRATE_URL_$$svc",
        '--url "postgres://$$svc:$$svc@postgres-$$svc:5432/$$svc"',
      ),
    },
    "migrate: a password on its command line (visible in ps and docker inspect)",
  ],
  [
    "a default credential from a service's env file",
    { "compose.yaml": replace("      CART_PRODUCT_TOKEN: ${PRODUCT_TOKEN:?run make compose-env}\n", "") },
    "cart: CART_PRODUCT_TOKEN takes the default credential in deploy/env/cart.env; set it from .env",
  ],
  [
    "anonymous Grafana admins",
    { "compose.yaml": replace("GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer", "GF_AUTH_ANONYMOUS_ORG_ROLE: Admin") },
    "grafana: anonymous Grafana users are Admin",
  ],
  [
    "Grafana's default admin password",
    {
      "compose.yaml": replace(
        "      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?run make compose-env}\n",
        "",
      ),
    },
    "grafana: Grafana keeps its default admin password",
  ],
  [
    "an end-of-life Node",
    { Dockerfile: replace(/FROM node:22\.\S+/, "FROM node:20.20.2-bookworm-slim") },
    "Dockerfile: node:20 is not a maintained LTS (22 or a later even major)",
  ],
  [
    "an unmaintained Kafka UI",
    { "compose.yaml": replace(/ghcr\.io\/kafbat\/kafka-ui:\S+/, "provectuslabs/kafka-ui:v0.7.2") },
    "kafka-ui: provectuslabs/kafka-ui:v0.7.2 is no longer maintained",
  ],
] as const)("%s is reported", (_name, edits, problem) => {
  expect(composeRuleProblems(brokenCopy(edits))).toContain(problem);
});

test("each app service's config loader accepts the environment compose gives it", async () => {
  const { cartConfig } = await import("../cart/main.ts");
  const { lomsConfig } = await import("../loms/main.ts");
  const { notificationsConfig } = await import("../notifications/main.ts");
  const { productMockConfig } = await import("../product-mock/main.ts");
  const loaders: Record<string, (env: Record<string, string>) => { host: string }> = {
    cart: cartConfig,
    loms: lomsConfig,
    "notifications-1": notificationsConfig,
    "notifications-3": notificationsConfig,
    "product-mock": productMockConfig,
  };
  const compose = Bun.YAML.parse(readFileSync("compose.yaml", "utf8")) as {
    services: Record<string, Service>;
  };
  for (const [name, load] of Object.entries(loaders)) {
    const svc = compose.services[name] as Service;
    // What compose interpolates from .env: any value will do for the loaders.
    const env = Object.fromEntries(
      Object.entries(effectiveEnv(".", svc)).map(([k, v]) => [
        k,
        v.replace(/\$\{\w+(?::\?[^}]*)?\}/g, "secret"),
      ]),
    );
    expect({ name, host: load(env).host }).toEqual({ name, host: "0.0.0.0" });
  }
});
