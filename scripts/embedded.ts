// Embedded mode (`make run`): all services in one process on a real embedded Postgres whose
// data lives under .data/ and survives restarts.

import { envInt, envString } from "../platform/config.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { guardProcess } from "../platform/process-guard.ts";
import { onShutdown } from "../platform/shutdown.ts";
import { logStartupFailure } from "../platform/startup.ts";
import { startEmbeddedSystem } from "./embedded-system.ts";

const logger = createLogger("embedded");
const started = performance.now();
guardProcess(logger);
try {
  const system = await startEmbeddedSystem(
    process.env,
    {
      dir: envString(process.env, "EMBEDDED_PG_DIR", ".data/postgres"),
      port: envInt(process.env, "EMBEDDED_PG_PORT", 5439),
    },
    logger,
  );
  const { cart, loms, product, notifications } = system.ports;
  logger.info(
    {
      cart: `http://127.0.0.1:${cart.http} (gRPC ${cart.grpc})`,
      loms: `http://127.0.0.1:${loms.http} (gRPC ${loms.grpc})`,
      product: `http://127.0.0.1:${product.http} (gRPC ${product.grpc})`,
      notifications: `http://127.0.0.1:${notifications.http}`,
      seconds: Math.round(performance.now() - started) / 1000,
    },
    "embedded mode is up; Ctrl+C stops it",
  );
  onShutdown(logger, [{ name: "system", run: () => system.stop() }]);
} catch (err) {
  logStartupFailure(logger, "embedded mode", err);
  process.exit(1);
}
