// Swagger UI at /docs, from the npm swagger-ui-dist package, reading /docs/openapi.json.

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { sendJson } from "./io.ts";
import type { Endpoint } from "./server.ts";

const ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css",
  "swagger-ui-bundle.js": "text/javascript",
  "swagger-ui-standalone-preset.js": "text/javascript",
  "favicon-32x32.png": "image/png",
};

const PAGE = (title: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" href="/docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/docs/openapi.json", dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout" });</script>
</body></html>`;

/** Endpoints for /docs (the page), /docs/openapi.json and the UI's static assets. */
export function docsEndpoints(title: string, document: unknown): Record<string, Endpoint> {
  const endpoints: Record<string, Endpoint> = {
    "/docs": (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE(title));
    },
    "/docs/openapi.json": (_req, res) => sendJson(res, 200, document as never),
  };
  for (const [file, type] of Object.entries(ASSETS)) {
    endpoints[`/docs/${file}`] = async (_req, res) => {
      const body = await readFile(fileURLToPath(import.meta.resolve(`swagger-ui-dist/${file}`)));
      res.writeHead(200, { "content-type": type, "cache-control": "public, max-age=86400" }).end(body);
    };
  }
  return endpoints;
}
