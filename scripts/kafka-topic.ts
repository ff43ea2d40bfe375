// Creates a topic on the stack's Kafka with the order-events topic's settings (6 partitions,
// RF 3, min.insync.replicas 2), if it does not exist yet: for the benchmark's ceiling and the
// adapter's own test, which must not write into loms.order-events.

import { execFileSync } from "node:child_process";

const KAFKA_TOOL = "scripts/kafka-tool.sh";

export function ensureTopic(topic: string): void {
  execFileSync(
    KAFKA_TOOL,
    [
      "topics",
      "--create",
      "--if-not-exists",
      "--topic",
      topic,
      "--partitions",
      "6",
      "--replication-factor",
      "3",
      "--config",
      "min.insync.replicas=2",
    ],
    { stdio: "ignore" },
  );
}
