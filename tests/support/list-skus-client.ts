// Run by another runtime (Deno) in the cross-runtime test: calls ListSkus through the platform's
// gRPC client and prints a JSON summary on stdout.
//   deno run -A tests/support/list-skus-client.ts <address> <count>   (token from $BIG_TOKEN)

import { ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { createGrpcClient } from "../../platform/grpc/client.ts";
import { backgroundCtx } from "../../platform/rpc/context.ts";

const [address = "", count = "1"] = process.argv.slice(2);
const client = createGrpcClient(ProductService, { address, timeoutMs: 15_000 });
try {
  const res = await client.listSkus(
    { token: process.env.BIG_TOKEN ?? "", startAfterSku: 0n, count: Number(count) },
    backgroundCtx(),
  );
  console.log(JSON.stringify({ ok: true, skus: res.skus.length, first: String(res.skus[0]) }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: String(err) }));
} finally {
  client.close();
}
