// The standard gRPC health service (grpc.health.v1.Health: Check and Watch) from the maintained
// grpc-health-check package. Its status follows the service's readiness check, polled in the
// background so that Watch streams see every change; "" stands for the whole server. On stop,
// open Watch streams get NOT_SERVING and are ended: a graceful gRPC shutdown waits for every
// open call, and a watcher would otherwise hold it until the grace period runs out.

import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";

export interface GrpcHealth {
  addTo(server: grpc.Server): void;
  /** Starts polling `readiness` every `intervalMs`; the first result is known before it returns. */
  follow(readiness: () => Promise<void> | void, intervalMs: number): Promise<void>;
  /** Stops polling, reports NOT_SERVING from now on and ends open Watch streams. */
  stop(): void;
}

export function createHealth(serviceNames: readonly string[]): GrpcHealth {
  const names = ["", ...serviceNames];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING"])));
  let current: ServingStatus = "NOT_SERVING";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  // Watch streams get one message per change, not one per poll.
  const set = (status: ServingStatus) => {
    if (status === current) return;
    current = status;
    for (const name of names) health.setStatus(name, status);
  };
  const probe = async (readiness: () => Promise<void> | void) => {
    try {
      await readiness();
      if (!stopped) set("SERVING");
    } catch {
      set("NOT_SERVING");
    }
  };
  return {
    addTo: (server) =>
      health.addToServer({
        // The package registers check/watch/list; keep a handle on each Watch call to end it.
        addService: (definition, impl) => {
          const watch = impl.watch as grpc.handleServerStreamingCall<unknown, unknown>;
          server.addService(
            definition as unknown as grpc.ServiceDefinition,
            {
              ...impl,
              watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
                watches.add(call);
                const forget = () => watches.delete(call);
                call.once("cancelled", forget);
                call.once("finish", forget);
                watch(call);
              },
            } as grpc.UntypedServiceImplementation,
          );
        },
      }),
    async follow(readiness, intervalMs) {
      await probe(readiness);
      const loop = () => {
        timer = setTimeout(() => {
          void probe(readiness).then(() => {
            if (!stopped) loop();
          });
        }, intervalMs);
        timer.unref?.();
      };
      loop();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      set("NOT_SERVING");
      for (const call of watches) call.end();
      watches.clear();
    },
  };
}
