// Swagger UI as a person uses it: Debian's headless Chromium, driven by playwright-core (no
// browser download), opens cart's /docs, uses "Try it out" on add-item and on list-cart, and
// sees the gateway's answers rendered; count 0 shows the 400. Screenshots go to
// screenshots/browser/ (gitignored). Run by `make test-browser` (a phase of `make test`).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { startTestSystem, type TestSystem } from "./support/system.ts";

const SHOTS = "screenshots/browser";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let sys: TestSystem;
let profile: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  sys = await startTestSystem();
  profile = mkdtempSync(join(tmpdir(), "marketplace-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
  });
  page = await browser.newPage();
  await page.goto(`${sys.cartUrl}/docs`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sys?.destroy();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens an operation, presses "Try it out", fills its parameters, and returns the block. */
async function tryItOut(operationId: string, params: Record<string, string>): Promise<Locator> {
  const block = page.locator(`#operations-CartService-${operationId}`);
  await block.locator(".opblock-summary").click();
  await block.getByRole("button", { name: "Try it out" }).click();
  for (const [name, value] of Object.entries(params)) {
    await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
  }
  return block;
}

async function execute(block: Locator): Promise<{ status: string; body: string }> {
  await block.getByRole("button", { name: "Execute" }).click();
  const live = block.locator(".live-responses-table .response").first();
  await live.waitFor();
  return {
    status: ((await live.locator(".response-col_status").textContent()) ?? "").trim(),
    body: (await live.locator(".response-col_description pre").first().textContent()) ?? "",
  };
}

test("add an item with Try it out (200), then list the cart and see it", async () => {
  const add = await tryItOut("CartService_AddItem", { user_id: "4242", sku_id: "1076963" });
  // The body Swagger UI offers is the documented example, which the gateway accepts.
  expect(JSON.parse(await add.locator("textarea.body-param__text").inputValue())).toEqual({ count: 2 });
  const added = await execute(add);
  await page.screenshot({ path: `${SHOTS}/add-item-200.png`, fullPage: true });
  expect(added.status).toBe("200");

  const list = await tryItOut("CartService_ListCart", { user_id: "4242" });
  const listed = await execute(list);
  await list.screenshot({ path: `${SHOTS}/list-cart-200.png` });
  expect(listed.status).toBe("200");
  expect(JSON.parse(listed.body)).toMatchObject({
    items: [{ sku: 1076963, name: "Теория нравственных чувств | Смит Адам", count: 2, price: 3379 }],
    total_price: 6758,
  });
}, 60_000);

test("count 0 is refused with a rendered 400 and its message", async () => {
  await page.reload();
  const add = await tryItOut("CartService_AddItem", { user_id: "4343", sku_id: "1076963" });
  await add.locator("textarea.body-param__text").fill('{"count": 0}');
  const refused = await execute(add);
  await add.screenshot({ path: `${SHOTS}/add-item-400.png` });
  expect(refused.status).toBe("400");
  expect(JSON.parse(refused.body)).toMatchObject({ code: "INVALID_ARGUMENT" });
  expect(JSON.parse(refused.body).message).toContain("count");
}, 60_000);
