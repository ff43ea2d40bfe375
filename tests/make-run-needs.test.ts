// `make run` (and each single-service target) must need only Node + npm: gen/ is committed, so
// no Go, Maven or code generation may be on its path. `make -B -n` prints every recipe that a
// run from a fresh clone would execute, without executing any.

import { expect, test } from "bun:test";

function recipes(target: string): string {
  const result = Bun.spawnSync(["make", "--no-print-directory", "-B", "-n", target]);
  expect(result.exitCode).toBe(0);
  return result.stdout.toString();
}

for (const target of ["run", "cart", "loms", "product-mock", "notifications"]) {
  test(`make ${target} installs npm packages and nothing that needs Go, Java or Maven`, () => {
    const out = recipes(target);
    expect(out).toContain("npm install");
    for (const tool of ["go install", "go mod", "mvn", "fetch-protos", "sqlc", "protoc-gen-es", "buf "]) {
      expect(out).not.toContain(tool);
    }
  });
}

test("make generate does install the generation tools (the split above is not vacuous)", () => {
  const out = recipes("generate");
  for (const tool of ["go install", "fetch-protos", "protoc-gen-es", "sqlc"]) expect(out).toContain(tool);
});
