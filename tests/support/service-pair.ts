// Two product services on real sockets, A calling B through a gRPC client: the set-up of the
// tests that follow request metadata and traces from a caller through A into B.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { type GetProductResponseSchema, ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { createGrpcClient } from "../../platform/grpc/client.ts";
import type { Logger } from "../../platform/observability/logger.ts";
import type { Tracing } from "../../platform/observability/tracing.ts";
import { bindService, type Interceptor, type ServiceImpl } from "../../platform/rpc/call.ts";
import { type RunningService, startService } from "../../platform/service.ts";

interface Side {
  readonly tracing?: Tracing;
  /** The service's own server interceptors. */
  readonly interceptors?: Interceptor[];
}

export interface ServicePairOptions {
  readonly logger: Logger;
  readonly a?: Side;
  readonly b?: Side;
  /** The interceptors of A's client to B. */
  readonly clientInterceptors: Interceptor[];
  /** B's answer to GetProduct; "from b" at price 1 by default. */
  readonly getProduct?: (sku: bigint) => Promise<MessageInitShape<typeof GetProductResponseSchema>>;
}

export interface ServicePair {
  readonly a: RunningService;
  readonly b: RunningService;
  stop(): Promise<void>;
}

type GetProduct = ServiceImpl<typeof ProductService>["getProduct"];

export async function startServicePair(options: ServicePairOptions): Promise<ServicePair> {
  const start = (name: string, side: Side | undefined, getProduct: GetProduct) =>
    startService({
      name,
      logger: options.logger,
      tracing: side?.tracing,
      host: "127.0.0.1",
      httpPort: 0,
      grpcPort: 0,
      interceptors: side?.interceptors,
      bindings: [bindService(ProductService, { getProduct, listSkus: async () => ({ skus: [] }) })],
    });
  const answer = options.getProduct ?? (async () => ({ name: "from b", price: 1 }));
  const b = await start("b", options.b, (req) => answer(req.sku));
  const toB = createGrpcClient(ProductService, {
    address: `127.0.0.1:${b.grpcPort}`,
    interceptors: options.clientInterceptors,
  });
  const a = await start("a", options.a, (req, ctx) => toB.getProduct(req, ctx));
  return {
    a,
    b,
    stop: async () => {
      toB.close();
      await Promise.all([a.stop(1_000), b.stop(1_000)]);
    },
  };
}
