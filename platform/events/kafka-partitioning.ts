// Where a key's messages go in Kafka: the Java client's murmur2 partitioner (kafkajs's
// DefaultPartitioner), so that every client agrees on where an order's events live.

import { Partitioners } from "kafkajs";
import type { BusMessage } from "./bus.ts";

const keyPartitioner = Partitioners.DefaultPartitioner();

/** The batch's message indexes by partition, each partition's in batch order. */
export function byPartition(messages: readonly BusMessage[], partitions: number): Map<number, number[]> {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  const groups = new Map<number, number[]>();
  messages.forEach((m, index) => {
    const partition = keyPartitioner({
      topic: "",
      partitionMetadata,
      message: { key: m.key, value: m.value },
    });
    const group = groups.get(partition);
    if (group) group.push(index);
    else groups.set(partition, [index]);
  });
  return groups;
}
