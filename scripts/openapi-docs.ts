// Writes the OpenAPI documents that cart, LOMS and product-mock serve at /docs/openapi.json
// into a folder (gitignored .cache/openapi by default), for `make lint` to check with Redocly.
// Usage: bun scripts/openapi-docs.ts [out-dir]

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cartApiDocs } from "../cart/main.ts";
import { lomsApiDocs } from "../loms/main.ts";
import { openApiDocument } from "../platform/http/openapi.ts";
import { productApiDocs } from "../product-mock/main.ts";

const out = process.argv[2] ?? ".cache/openapi";
mkdirSync(out, { recursive: true });
for (const [name, docs] of [
  ["cart", cartApiDocs],
  ["loms", lomsApiDocs],
  ["product-mock", productApiDocs],
] as const) {
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(openApiDocument(name, docs), null, 2)}\n`);
}
console.log(`OpenAPI documents written to ${out}/`);
