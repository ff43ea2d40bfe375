// The OpenAPI documents say what the gateway does: constraints from protovalidate, examples that
// the gateway accepts, the statuses it answers, the token header, 64-bit formats.

import { describe, expect, test } from "bun:test";
import { cartApiDocs } from "../cart/main.ts";
import { lomsApiDocs } from "../loms/main.ts";
import { openApiDocument } from "../platform/http/openapi.ts";
import { productApiDocs } from "../product-mock/main.ts";

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Json = any;
const cart: Json = openApiDocument("cart", cartApiDocs);
const loms: Json = openApiDocument("loms", lomsApiDocs);
const product: Json = openApiDocument("product-mock", productApiDocs);

describe("cart", () => {
  const addItem = cart.paths["/user/{user_id}/cart/{sku_id}"].post;

  test("summary and description come from the proto comments", () => {
    expect(addItem.summary).toBe("Add units of a product to the cart");
    expect(addItem.description).toContain("after checking that the product exists");
  });

  test("validation rules become JSON Schema and the example is a valid request", () => {
    const count = addItem.requestBody.content["application/json"].schema;
    expect(count.required).toEqual(["count"]);
    expect(count.properties.count).toMatchObject({ minimum: 0, exclusiveMinimum: true, maximum: 1000000 });
    expect(count.properties.count.example).toBeGreaterThan(0);
    const userId = addItem.parameters.find((p: Json) => p.name === "user_id");
    expect(userId).toMatchObject({ in: "path", required: true, example: 1 });
    expect(userId.schema).toMatchObject({ type: "integer", format: "int64", maximum: 9007199254740991 });
  });

  test("each route lists the statuses it answers, with the error schema", () => {
    expect(Object.keys(addItem.responses).sort()).toEqual(["200", "400", "401", "412"]);
    expect(addItem.responses["412"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/Error",
    );
    expect(Object.keys(cart.paths["/user/{user_id}/cart"].get.responses).sort()).toEqual([
      "200",
      "400",
      "401",
      "404",
    ]);
    expect(Object.keys(cart.paths["/checkout/{user_id}"].post.responses).sort()).toEqual([
      "200",
      "400",
      "404",
      "409",
      "412",
    ]);
  });

  test("a DELETE answering Empty is a 204 without a body; checkout takes no body", () => {
    const deleted = cart.paths["/user/{user_id}/cart/{sku_id}"].delete.responses["204"];
    expect(deleted).toEqual({ description: "Done (no body)." });
    expect(cart.paths["/checkout/{user_id}"].post.requestBody).toBeUndefined();
  });

  test("x-auth-token is an optional security scheme; servers point at the serving host", () => {
    expect(cart.components.securitySchemes.authToken).toMatchObject({ in: "header", name: "x-auth-token" });
    expect(cart.security).toEqual([{}, { authToken: [] }]);
    expect(cart.servers).toEqual([{ url: "/", description: "this server" }]);
  });

  test("64-bit integers carry format int64", () => {
    const item = cart.components.schemas["cart.v1.CartItem"];
    expect(item.properties.sku.format).toBe("int64");
    expect(cart.components.schemas["cart.v1.ListCartResponse"].properties.total_price).toMatchObject({
      format: "int64",
      minimum: 0,
    });
  });
});

test("LOMS: query parameters for GET routes, repeated-field and string limits, no security scheme", () => {
  const info = loms.paths["/order/info"].get;
  expect(info.parameters).toEqual([
    expect.objectContaining({ name: "order_id", in: "query", required: true, example: 1 }),
  ]);
  const create = loms.paths["/order/create"].post.requestBody.content["application/json"].schema;
  expect(create.properties.items).toMatchObject({ minItems: 1, maxItems: 1000 });
  expect(create.properties.checkout_key).toMatchObject({
    type: "string",
    maxLength: 64,
    pattern: "^[!-~]*$",
  });
  expect(create.required).toEqual(["user_id", "items"]);
  expect(loms.components.securitySchemes).toBeUndefined();
  expect(loms.security).toEqual([]);
});

test("product-mock: 401 and 429 are documented where they happen", () => {
  const get = product.paths["/get_product"].post;
  expect(Object.keys(get.responses).sort()).toEqual(["200", "400", "401", "404", "429"]);
  const list = product.paths["/list_skus"].post.requestBody.content["application/json"].schema;
  expect(list.properties.start_after_sku).toMatchObject({ minimum: 0 });
  expect(list.properties.start_after_sku.exclusiveMinimum).toBeUndefined();
});
