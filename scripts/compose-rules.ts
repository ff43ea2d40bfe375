// The mistakes compose.yaml can make that nothing here would run into (there is no Docker
// engine), each caught statically, by class:
// - a service runs a file the image does not contain (the Dockerfile's last stage never copied
//   it, or .dockerignore drops it);
// - a config mounted into a container binds loopback, so the other containers cannot reach it
//   (and whoever depends on it silently takes its fallback), including Redis' protected mode;
// - an app service is given an environment variable its code never reads (a typo, a renamed
//   knob: the value is silently ignored);
// - it is not locked down: a port published beyond 127.0.0.1, Grafana's anonymous users with
//   more than Viewer, a password on a command line or written into compose.yaml or its env
//   files instead of coming from the env file compose reads (`.env`, see docs/compose.md), an
//   end-of-life Node, an unmaintained image.
// `composeRuleProblems(root)` reads compose.yaml, the Dockerfile and what they name under
// `root`, so that tests can run it on broken copies; scripts/check-compose.ts runs it on the repo.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { variablesRead } from "./check-config-table.ts";

export type Service = {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  env_file?: string[];
  healthcheck?: { test?: string[] };
  ports?: string[];
  volumes?: string[];
};

/** The app services' code: what their main.ts can reach, minus tests. */
const APP_CODE_DIRS = ["platform"];
const UNMAINTAINED_IMAGES = [/^provectuslabs\/kafka-ui:/];
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN/i;
const URL_PASSWORD = /:\/\/[^\s:/@]+:([^\s@]+)@/;
const LOOPBACK = String.raw`(?:127\.0\.0\.1|localhost|::1|\[::1\])`;

interface Context {
  readonly root: string;
  readonly read: (path: string) => string;
  /** What the image's last stage holds, and what of it comes from the build context. */
  readonly copied: readonly string[];
  readonly fromBuildContext: readonly string[];
  readonly dockerignored: readonly string[];
  readonly appImage: string | undefined;
}

type Rule = (ctx: Context, name: string, svc: Service) => string[];

export function composeRuleProblems(root: string): string[] {
  const read = (path: string) => readFileSync(join(root, path), "utf8");
  const compose = Bun.YAML.parse(read("compose.yaml")) as { services: Record<string, Service> };
  const dockerfile = read("Dockerfile");
  const ctx: Context = {
    root,
    read,
    copied: copiedPaths(dockerfile),
    fromBuildContext: copiedPaths(dockerfile, false),
    dockerignored: existsSync(join(root, ".dockerignore"))
      ? read(".dockerignore")
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l !== "" && !l.startsWith("#"))
      : [],
    appImage: Object.values(compose.services).find((s) => s.image && "build" in s)?.image,
  };
  const rules: Rule[] = [inTheImage, noLoopback, onlyVariablesRead, lockedDown];
  const problems = Object.entries(compose.services).flatMap(([name, svc]) =>
    rules.flatMap((rule) => rule(ctx, name, svc)),
  );
  for (const [, major] of dockerfile.matchAll(/^FROM node:(\d+)/gm)) {
    if (Number(major) < 22 || Number(major) % 2 === 1)
      problems.push(`Dockerfile: node:${major} is not a maintained LTS (22 or a later even major)`);
  }
  return problems;
}

const under = (path: string, prefixes: readonly string[]) =>
  prefixes.some((c) => path === c || path.startsWith(`${c}/`));
const commandLineOf = (svc: Service) => [...asList(svc.entrypoint), ...asList(svc.command)];

/** 1. Every file an app-image service runs is in the image. */
const inTheImage: Rule = (ctx, name, svc) => {
  if (svc.image !== ctx.appImage) return [];
  const runs = [...commandLineOf(svc), ...(svc.healthcheck?.test ?? [])].flatMap(relativePaths);
  return runs.flatMap((path) => {
    if (!under(path, ctx.copied))
      return [`${name}: runs ${path}, which the Dockerfile does not copy into the image`];
    if (under(path, ctx.fromBuildContext) && under(path, ctx.dockerignored))
      return [`${name}: runs ${path}, which .dockerignore keeps out of the image`];
    return [];
  });
};

/** 2. No mounted config binds loopback; Redis without a password turns protected mode off. */
const noLoopback: Rule = (ctx, name, svc) => {
  const env = effectiveEnv(ctx.root, svc);
  const problems: string[] = [];
  for (const volume of svc.volumes ?? []) {
    const source = volume.split(":")[0] ?? "";
    if (!source.startsWith("./") || !existsSync(join(ctx.root, source))) continue;
    for (const file of filesUnder(join(ctx.root, source))) {
      for (const why of loopbackBindings(readFileSync(file, "utf8"), env))
        problems.push(`${name}: mounted ${relative(ctx.root, file)} ${why}`);
    }
  }
  const commandLine = commandLineOf(svc);
  if (
    commandLine.includes("redis-server") &&
    !hasRedisPassword(ctx.root, svc, commandLine) &&
    !commandLine.join(" ").includes("--protected-mode no")
  )
    problems.push(
      `${name}: Redis without a password keeps protected mode on, which admits loopback clients only`,
    );
  return problems;
};

/** 3. Every variable an app service is given is one its code reads. */
const onlyVariablesRead: Rule = (ctx, name, svc) => {
  const folder = asList(svc.command)
    .find((c) => c.endsWith("/main.ts"))
    ?.split("/")[0];
  if (svc.image !== ctx.appImage || !folder) return [];
  const readByCode = variablesRead(codeFiles(ctx.root, [folder, ...APP_CODE_DIRS]));
  return Object.keys(effectiveEnv(ctx.root, svc))
    .filter((variable) => !readByCode.has(variable))
    .map((variable) => `${name}: sets ${variable}, which ${folder}'s code never reads`);
};

/** 4. Locked down: loopback ports, passwords only from .env, Grafana, maintained images. */
const lockedDown: Rule = (ctx, name, svc) => [
  ...(svc.ports ?? [])
    .filter((port) => !String(port).startsWith("127.0.0.1:"))
    .map((port) => `${name}: publishes ${port} on every interface (bind it to 127.0.0.1:)`),
  ...passwords(ctx, name, svc),
  ...grafana(name, svc),
  ...(svc.image && UNMAINTAINED_IMAGES.some((re) => re.test(svc.image as string))
    ? [`${name}: ${svc.image} is no longer maintained`]
    : []),
];

/** Passwords come from .env, through `${VAR}` in the environment: never literal, never argv. */
function passwords(ctx: Context, name: string, svc: Service): string[] {
  const onCommandLine = commandLineOf(svc).some(
    (arg) => URL_PASSWORD.test(arg) || /--?(?:requirepass|password)\b/i.test(arg),
  );
  const literal = Object.entries(svc.environment ?? {}).filter(([variable, value]) => {
    const text = String(value ?? "");
    const secret = SECRET_NAME.test(variable) ? text : (URL_PASSWORD.exec(text)?.[1] ?? "");
    return secret !== "" && !/^\$\{\w+(?::\?[^}]*)?\}$/.test(secret);
  });
  const fromEnvFiles = (svc.env_file ?? []).flatMap((file) =>
    Object.entries(parseEnvFile(ctx.read(file)))
      .filter(([variable]) => !(svc.environment && variable in svc.environment)) // compose overrides it
      .filter(([variable, value]) => SECRET_NAME.test(variable) || URL_PASSWORD.test(value))
      .map(([variable]) => `${name}: ${variable} takes the default credential in ${file}; set it from .env`),
  );
  return [
    ...(onCommandLine ? [`${name}: a password on its command line (visible in ps and docker inspect)`] : []),
    ...literal.map(([v]) => `${name}: ${v} has a password written into compose.yaml, not \${VAR} from .env`),
    ...fromEnvFiles,
  ];
}

function grafana(name: string, svc: Service): string[] {
  if (!svc.image?.startsWith("grafana/")) return [];
  const env = svc.environment ?? {};
  const anonymousRole =
    env.GF_AUTH_ANONYMOUS_ENABLED === "true" ? String(env.GF_AUTH_ANONYMOUS_ORG_ROLE ?? "Viewer") : "";
  return [
    ...(anonymousRole !== "" && anonymousRole !== "Viewer"
      ? [`${name}: anonymous Grafana users are ${anonymousRole}`]
      : []),
    ...(env.GF_SECURITY_ADMIN_PASSWORD === undefined
      ? [`${name}: Grafana keeps its default admin password`]
      : []),
  ];
}

function asList(value: string[] | string | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Relative paths a command line names: `cart/main.ts`, `node_modules/.bin/dbmate`, `sql/$svc/...`. */
function relativePaths(arg: string): string[] {
  return [...arg.matchAll(/(?:^|\s)((?:[\w.-]+\/)+[\w.$-]+)/g)]
    .map((m) => (m[1] ?? "").split("$")[0]?.replace(/\/$/, "") ?? "")
    .filter((p) => p !== "" && !p.startsWith("/") && !p.startsWith("."));
}

/**
 * What the Dockerfile's last stage copies, as paths relative to its WORKDIR; without
 * `fromStages`, only what comes from the build context (what .dockerignore applies to).
 */
function copiedPaths(dockerfile: string, fromStages = true): string[] {
  const lastStage = dockerfile.split(/^FROM /m).at(-1) ?? "";
  const paths: string[] = [];
  for (const [, args] of lastStage.matchAll(/^COPY\s+(.+)$/gm)) {
    if (!fromStages && /--from=/.test(args ?? "")) continue;
    const words = (args ?? "").split(/\s+/).filter((w) => !w.startsWith("--"));
    const dest = (words.pop() ?? "").replace(/^\.\//, "").replace(/\/$/, "");
    if (dest === "" || dest === ".") paths.push(...words.map((w) => w.split("/").at(-1) ?? w));
    else paths.push(dest);
  }
  return paths;
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => filesUnder(join(path, entry)));
}

/** Loopback listen settings in a config, by any of the spellings our deploy/ configs use. */
function loopbackBindings(text: string, env: Record<string, string>): string[] {
  const found: string[] = [];
  for (const line of text.split("\n")) {
    const setting = line.replace(/[#;].*$/, "").trim();
    if (new RegExp(`^bind\\s+(?:.*\\s)?${LOOPBACK}(?:\\s|$)`).test(setting))
      found.push(`binds loopback: "${setting}"`);
    if (/^protected-mode\s+yes$/.test(setting)) found.push(`keeps Redis' protected mode on (loopback only)`);
    if (
      new RegExp(`^(?:listen_addr|listen_addresses|host|address)\\s*[=:]\\s*["']?${LOOPBACK}`).test(setting)
    )
      found.push(`binds loopback: "${setting}"`);
    const endpoint = new RegExp(`endpoint:\\s*"?(?:\\$\\{env:(\\w+):-)?${LOOPBACK}`).exec(setting);
    if (endpoint && !(endpoint[1] && env[endpoint[1]] && !new RegExp(LOOPBACK).test(env[endpoint[1]] ?? "")))
      found.push(`binds loopback: "${setting}"`);
  }
  return found;
}

function hasRedisPassword(root: string, svc: Service, commandLine: string[]): boolean {
  const config = commandLine.find((arg) => arg.endsWith(".conf"));
  const mount = (svc.volumes ?? []).find((v) => config && v.split(":")[1] === config)?.split(":")[0];
  return mount !== undefined && /^\s*requirepass\s/m.test(readFileSync(join(root, mount), "utf8"));
}

function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/^\s*([A-Za-z_]\w*)=(.*)$/gm)) vars[name ?? ""] = value ?? "";
  return vars;
}

/** env_file, then `environment` over it: what the container's process sees. */
export function effectiveEnv(root: string, svc: Service): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of svc.env_file ?? [])
    if (existsSync(join(root, file)))
      Object.assign(env, parseEnvFile(readFileSync(join(root, file), "utf8")));
  for (const [name, value] of Object.entries(svc.environment ?? {})) env[name] = String(value ?? "");
  return env;
}

function codeFiles(root: string, dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) =>
    existsSync(join(root, dir))
      ? filesUnder(join(root, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      : [],
  );
}
