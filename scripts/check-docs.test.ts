import { expect, test } from "bun:test";
import { anchorsOf, linkProblems, portSection, portsIn, slug, unknownMakeTargets } from "./check-docs.ts";

test("anchors follow GitHub's slugs", () => {
  expect(slug("Order events: outbox, ordering, exactly once")).toBe(
    "order-events-outbox-ordering-exactly-once",
  );
  expect(slug("Latency: OrderCreate commit → stored notification")).toBe(
    "latency-ordercreate-commit--stored-notification",
  );
  expect(slug("The `make run` mode")).toBe("the-make-run-mode");
  expect([...anchorsOf("# Title\n```sh\n# not a heading\n```\n### Every UI and port\n")]).toEqual([
    "title",
    "every-ui-and-port",
  ]);
});

test("reports missing files and anchors, skips URLs and code", () => {
  const files: Record<string, string> = {
    "README.md": [
      "## Run it",
      "[ok](docs/a.md#part-one) [self](#run-it) ![img](docs/pic.png) [web](https://example.com/x)",
      "[gone](docs/missing.md) [bad anchor](docs/a.md#part-two) [bad self](#walk-it)",
      "`[code](nowhere.md)`",
      "```md\n[block](nowhere.md)\n```",
    ].join("\n"),
    "docs/a.md": "# A\n## Part one\n[up](../README.md#run-it) [wrong up](../README.md#ports)",
    "docs/pic.png": "",
  };
  const read = (path: string) => files[path];
  expect(linkProblems("README.md", read)).toEqual([
    "README.md: link docs/missing.md: docs/missing.md does not exist",
    "README.md: link docs/a.md#part-two: no heading with anchor #part-two in docs/a.md",
    "README.md: link #walk-it: no heading with anchor #walk-it in README.md",
  ]);
  expect(linkProblems("docs/a.md", read)).toEqual([
    "docs/a.md: link ../README.md#ports: no heading with anchor #ports in README.md",
  ]);
});

test("make targets named in code must exist; prose is not a command", () => {
  const makefile = "run: run-deps ## start\n\tbun x\nlint: deps\n";
  const doc = "We make one order.\n`make run` and `make lint`, `make -B -n run`\n```sh\nmake stack-up\n```";
  expect(unknownMakeTargets(doc, makefile)).toEqual(["stack-up"]);
});

test("the port section's ports, and only that section's (a year would count too, and fail the check)", () => {
  const readme = [
    "## Run it",
    "listens on 9999",
    "## Every UI and port",
    "| cart | 8082 / 50052 | http://127.0.0.1:8082/docs | Node.js 20.19 | 10 RPS | 2026 |",
    "## Configuration",
    "| `X_PORT` | 7777 |",
  ].join("\n");
  expect([...portsIn(portSection(readme))].sort((a, b) => a - b)).toEqual([2026, 8082, 50052]);
});
