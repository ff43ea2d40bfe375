// Keeps the README and docs/ true to the repository. Run by `make lint`; exits non-zero listing
// every problem:
// - every relative link or image in README.md and docs/*.md points at a file that exists, and
//   its #anchor (if any) at a heading of that file (GitHub's slugs);
// - every `make <target>` they mention is a target of the Makefile;
// - the README's "Every UI and port" table names every port the stack scripts, the env files,
//   compose.yaml, Jaeger's config and embedded mode use, and no port that none of them uses.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const PORT_SECTION = "## Every UI and port";

/** GitHub's heading anchor: lower case, punctuation dropped (but - and _), spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```$/gm, "");
}

export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)) if (m[1]) anchors.add(slug(m[1]));
  return anchors;
}

/** Relative link targets (`[x](target)`, `![x](target)`) outside code blocks and spans. */
export function relativeLinks(markdown: string): string[] {
  const text = withoutCode(markdown).replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Problems with the links of `file` (a path relative to the repository root). */
export function linkProblems(file: string, read: (path: string) => string | undefined): string[] {
  const text = read(file) ?? "";
  const problems: string[] = [];
  for (const target of relativeLinks(text)) {
    const [path = "", anchor] = target.split("#");
    const resolved = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    const content = read(resolved);
    if (content === undefined) {
      problems.push(`${file}: link ${target}: ${resolved} does not exist`);
    } else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(content).has(anchor)) {
      problems.push(`${file}: link ${target}: no heading with anchor #${anchor} in ${resolved}`);
    }
  }
  return problems;
}

/** `make <target>` commands (in code spans and blocks) whose target the Makefile does not define. */
export function unknownMakeTargets(markdown: string, makefile: string): string[] {
  const targets = new Set([...makefile.matchAll(/^([a-z][a-z0-9-]*):/gm)].map((m) => m[1]));
  const code = [...markdown.matchAll(/^```[\s\S]*?^```$|`[^`\n]+`/gm)].map((m) => m[0]).join("\n");
  const named = [...code.matchAll(/\bmake ([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? "");
  return [...new Set(named)].filter((t) => !targets.has(t));
}

/** Port numbers (1024..65535) in a text. */
export function portsIn(text: string): Set<number> {
  const ports = new Set<number>();
  for (const m of text.matchAll(/(?<![\d.])(\d{4,5})(?![\d.])/g)) {
    const n = Number(m[1]);
    if (n >= 1024 && n <= 65535) ports.add(n);
  }
  return ports;
}

/** The README's port section, from its heading to the next `## `. */
export function portSection(readme: string): string {
  return readme.split(PORT_SECTION)[1]?.split(/^## /m)[0] ?? "";
}

/** The ports the system uses, each with the file that says so. */
function portsInUse(): Map<number, string> {
  const used = new Map<number, string>();
  const add = (file: string, ports: Iterable<number>) => {
    for (const p of ports) if (!used.has(p)) used.set(p, file);
  };
  const common = readFileSync("scripts/lib/common.sh", "utf8");
  const topology = common.split("# The stack's topology")[1] ?? "";
  add("scripts/lib/common.sh", portsIn(topology.replace(/^\w*VERSION=.*$/gm, "")));
  for (const name of readdirSync("deploy/env")) {
    const env = readFileSync(join("deploy/env", name), "utf8");
    add(
      `deploy/env/${name}`,
      [...env.matchAll(/_PORT=(\d+)$/gm)].map((m) => Number(m[1])),
    );
  }
  const compose = Bun.YAML.parse(readFileSync("compose.yaml", "utf8")) as {
    services: Record<string, { ports?: string[] }>;
  };
  for (const svc of Object.values(compose.services))
    add(
      "compose.yaml",
      // "127.0.0.1:3000:3000": the host port is the one before the container's.
      (svc.ports ?? []).map((p) => Number(p.split(":").at(-2))),
    );
  const jaeger = readFileSync("deploy/jaeger/config.yaml", "utf8");
  add(
    "deploy/jaeger/config.yaml",
    [...jaeger.matchAll(/:(\d{4,5})"/g)].map((m) => Number(m[1])),
  );
  const embedded = /"EMBEDDED_PG_PORT",\s*(\d+)/.exec(readFileSync("scripts/embedded.ts", "utf8"));
  add("scripts/embedded.ts", embedded ? [Number(embedded[1])] : []);
  return used;
}

function markdownFiles(): string[] {
  return [
    "README.md",
    ...readdirSync("docs")
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
}

if (import.meta.main) {
  const read = (path: string) => {
    if (!existsSync(path)) return undefined;
    return path.endsWith(".md") ? readFileSync(path, "utf8") : "";
  };
  const makefile = readFileSync("Makefile", "utf8");
  const problems: string[] = [];
  for (const file of markdownFiles()) {
    problems.push(...linkProblems(file, read));
    for (const t of unknownMakeTargets(readFileSync(file, "utf8"), makefile))
      problems.push(`${file}: \`make ${t}\`: no such Makefile target`);
  }
  const section = portSection(readFileSync("README.md", "utf8"));
  const listed = portsIn(section);
  const used = portsInUse();
  if (listed.size === 0) problems.push(`README.md: no "${PORT_SECTION}" section with ports`);
  if (used.size < 20) problems.push(`could only read ${used.size} ports from the scripts and configs`);
  for (const [port, file] of used)
    if (!listed.has(port)) problems.push(`README.md "${PORT_SECTION}" does not list port ${port} (${file})`);
  for (const port of listed)
    if (!used.has(port)) problems.push(`README.md "${PORT_SECTION}" lists port ${port}, which nothing uses`);
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  console.log(`docs: links, make targets and the ${used.size} ports of the port table check out`);
}
