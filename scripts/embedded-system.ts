// Starts every service in this process on an embedded Postgres: the embedded mode of
// `make run`, and the system under test of the end-to-end tests. Services read the same
// environment as in the stack; only database URLs and peer addresses are set here, from what
// actually started (tests use port 0 everywhere).

import { cartConfig, startCart } from "../cart/main.ts";
import { lomsConfig, startLoms } from "../loms/main.ts";
import { notificationsConfig, startNotifications } from "../notifications/main.ts";
import { type Env, envBool } from "../platform/config.ts";
import { startEmbeddedPostgres } from "../platform/dev/embedded-postgres.ts";
import { migrate } from "../platform/dev/migrate.ts";
import { inProcessBus } from "../platform/events/in-process.ts";
import type { Logger } from "../platform/observability/logger.ts";
import { productMockConfig, startProductMock } from "../product-mock/main.ts";

type DatabaseService = "cart" | "loms" | "notifications";

export interface EmbeddedServices {
  readonly ports: Readonly<Record<"cart" | "loms" | "product", { http: number; grpc: number }>> & {
    readonly notifications: { readonly http: number };
  };
  /** Stops services, newest first. */
  stop(): Promise<void>;
}

export interface EmbeddedSystem extends EmbeddedServices {
  /** A service's database URL, for tests that check what the public API cannot show. */
  databaseUrl(service: "cart" | "loms"): string;
  /** Stops services (newest first), then Postgres. */
  stop(): Promise<void>;
}

export async function startEmbeddedSystem(
  env: Env,
  postgres: { dir: string; port: number },
  logger: Logger,
): Promise<EmbeddedSystem> {
  const pg = await startEmbeddedPostgres({
    ...postgres,
    log: (line) => logger.debug({ postgres: line.trim() }),
  });
  try {
    for (const name of ["cart", "loms", "notifications"]) {
      await pg.createDatabase(name);
      await migrate(pg.url(name), `sql/${name}/migrations`);
    }
    const services = await startEmbeddedServices(env, (service) => pg.url(service), logger);
    return {
      ports: services.ports,
      databaseUrl: (service) => pg.url(service),
      stop: async () => {
        await services.stop();
        await pg.stop().catch((err) => logger.error({ err }, "stop failed"));
      },
    };
  } catch (err) {
    await pg.stop().catch(() => {});
    throw err;
  }
}

/**
 * The services of embedded mode on databases that already exist and are migrated. The restart
 * tests run this in a child process they kill, while Postgres lives on in the test.
 */
export async function startEmbeddedServices(
  env: Env,
  databaseUrl: (service: DatabaseService) => string,
  logger: Logger,
): Promise<EmbeddedServices> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0)) await s().catch((err) => logger.error({ err }, "stop failed"));
  };
  try {
    const product = await startProductMock(productMockConfig(env));
    stops.unshift(() => product.stop());
    // Order events travel from the LOMS outbox relay to notifications over an in-process bus.
    // Notifications subscribes first and LOMS stops first: the bus acknowledges an event only
    // once the group committed it (platform/events/in-process.ts).
    const bus = inProcessBus(logger);
    // One process, a direct Postgres (no pooler: the relay's direct URL is the same database):
    // prepared statements on, and cart reaches product-mock and LOMS in-process (platform/inproc)
    // rather than over loopback HTTP/2 — unless the environment says otherwise (the bench
    // measures both).
    const on = (name: string) => envBool(env, name, true);
    const notifications = await startNotifications(
      {
        ...notificationsConfig(env),
        databaseUrl: databaseUrl("notifications"),
        dbPrepare: on("NOTIFICATIONS_DB_PREPARE"),
      },
      bus,
    );
    stops.unshift(() => notifications.stop());
    const loms = await startLoms(
      {
        ...lomsConfig(env),
        databaseUrl: databaseUrl("loms"),
        databaseDirectUrl: databaseUrl("loms"),
        dbPrepare: on("LOMS_DB_PREPARE"),
      },
      bus,
    );
    stops.unshift(() => loms.stop());
    const cart = await startCart({
      ...cartConfig(env),
      databaseUrl: databaseUrl("cart"),
      dbPrepare: on("CART_DB_PREPARE"),
      inProcessPeers: on("CART_INPROC_PEERS"),
      productAddr: `127.0.0.1:${product.grpcPort}`,
      lomsAddr: `127.0.0.1:${loms.grpcPort}`,
    });
    stops.unshift(() => cart.stop());
    return {
      ports: {
        cart: { http: cart.httpPort, grpc: cart.grpcPort ?? 0 },
        loms: { http: loms.httpPort, grpc: loms.grpcPort ?? 0 },
        product: { http: product.httpPort, grpc: product.grpcPort ?? 0 },
        notifications: { http: notifications.httpPort },
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
