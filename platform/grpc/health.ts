// The standard gRPC health service (grpc.health.v1.Health: Check and Watch) from the maintained
// grpc-health-check package. Its status follows the service's readiness check, polled in the
// background so that Watch streams see every change; "" stands for the whole server.

import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";

export interface GrpcHealth {
  addTo(server: grpc.Server): void;
  /** Starts polling `readiness` every `intervalMs`; the first result is known before it returns. */
  follow(readiness: () => Promise<void> | void, intervalMs: number): Promise<void>;
  /** Stops polling and reports NOT_SERVING from now on (the server is draining). */
  stop(): void;
}

export function createHealth(serviceNames: readonly string[]): GrpcHealth {
  const names = ["", ...serviceNames];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING"])));
  let current: ServingStatus = "NOT_SERVING";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
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
    addTo: (server) => health.addToServer(server),
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
    },
  };
}
