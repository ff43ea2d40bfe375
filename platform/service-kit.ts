// What every service is made of besides its own parts, wired one way for all four: a logger,
// tracing and metrics under the service's name; the database pools and the event bus it opens;
// background loops tied to its lifetime; and one stop. A main then reads as the list of what the
// service is made of:
//   const kit = serviceKit("loms", config.tracing);
//   const db = kit.database({ url: config.databaseUrl, max: config.dbPoolMax });
//   kit.background((signal) => runRelay(..., signal));
//   return kit.serve({ httpPort, grpcPort, bindings, readiness: readinessOf(db) });
//
// Stop order: the servers drain and close first (no request uses anything any more), then the
// background signal aborts, then what the service opened closes in reverse order of opening, so
// that nothing closes before what was built on it (a worker pool before the client it calls, a
// bus before the database).

import { Database } from "./db/postgres.ts";
import type { EventBus } from "./events/bus.ts";
import { kafkaBus } from "./events/kafka.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics, type Metrics } from "./observability/metrics.ts";
import { observePool } from "./observability/saturation.ts";
import { createTracing, type Tracing, type TracingConfig } from "./observability/tracing.ts";
import { type RunningServer, type ServiceOptions, startService } from "./service.ts";

export interface ServiceKit {
  readonly logger: Logger;
  readonly tracing: Tracing;
  readonly metrics: Metrics;
  /** Aborts on stop, once the servers have closed: what the service runs in the background ends. */
  readonly signal: AbortSignal;
  /** A Postgres pool named after the service, traced, its saturation observed, closed on stop. */
  database(options: { url: string; max: number; prepare?: boolean }): Database;
  /**
   * The bus handed in (embedded mode's in-process bus, which its owner closes), or a Kafka bus
   * of the service's own, closed on stop.
   */
  bus(brokers: readonly string[], given?: EventBus): EventBus;
  /** Starts `task` with the kit's signal; stop waits for it to end. */
  background(task: (signal: AbortSignal) => Promise<void>): void;
  /** Runs on stop, in reverse order of registration, after the servers and the background signal. */
  onStop(step: () => Promise<void> | void): void;
  /** Starts the servers (service.ts) with the kit's logger, tracing and metrics. */
  serve(options: Omit<ServiceOptions, "name" | "logger" | "tracing" | "metrics">): Promise<RunningServer>;
}

export function serviceKit(name: string, tracingConfig: TracingConfig): ServiceKit {
  const logger = createLogger(name);
  const tracing = createTracing(name, tracingConfig);
  const metrics = createMetrics(name);
  const background = new AbortController();
  const steps: (() => Promise<void> | void)[] = [];
  const onStop = (step: () => Promise<void> | void) => {
    steps.unshift(step);
  };
  return {
    logger,
    tracing,
    metrics,
    signal: background.signal,
    database: (options) => {
      const db = new Database({ ...options, applicationName: name, tracer: tracing.tracer });
      observePool(metrics.registry, "db", name, () => db.stats());
      onStop(() => db.close());
      return db;
    },
    bus: (brokers, given) => {
      if (given) return given;
      const bus = kafkaBus({ brokers, clientId: name, logger });
      onStop(() => bus.close());
      return bus;
    },
    background: (task) => {
      const running = task(background.signal);
      onStop(() => running);
    },
    onStop,
    serve: async (options) => {
      const service = await startService({ ...options, name, logger, tracing, metrics });
      return {
        httpPort: service.httpPort,
        grpcPort: service.grpcPort,
        drain: service.drain,
        stop: async () => {
          await service.stop();
          background.abort();
          for (const step of steps) await step();
        },
      };
    },
  };
}

/** Readiness as the service's dependencies answering a ping within 2 s. */
export function readinessOf(...dependencies: { ping(signal: AbortSignal): Promise<void> }[]) {
  return async (): Promise<void> => {
    const signal = AbortSignal.timeout(2_000);
    await Promise.all(dependencies.map((dependency) => dependency.ping(signal)));
  };
}
