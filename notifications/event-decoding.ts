// From the bus to the domain: a message's value decoded as the generated loms.v1.OrderEvent
// (platform/events/json-codec.ts: protobuf JSON, the proto's validation rules) and mapped to the
// Notification the use case handles. The one decoder of the event; no second definition here.

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { OrderEventSchema } from "../gen/proto/loms/v1/events_pb.ts";
import { decodeEvent } from "../platform/events/json-codec.ts";
import type { EventDecoder } from "./ports.ts";

export const decodeOrderEvent: EventDecoder = (value) => {
  const decoded = decodeEvent(OrderEventSchema, value);
  if ("reason" in decoded) return decoded;
  const { eventId, orderId, status, moment } = decoded.message;
  if (!moment) return { reason: "moment: value is required" }; // the rules say so; for the type
  // The rules hold, so both convert exactly: 0 < order_id ≤ 2^53−1, moment within 2000–2100.
  return { event: { eventId, orderId: Number(orderId), status, moment: timestampDate(moment) } };
};
