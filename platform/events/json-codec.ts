// Events on the bus as protobuf JSON: a message's proto is the one definition of its wire form.
// Both ends go through here — the producer encodes the generated type, the consumer decodes into
// it — and both check the proto's buf.validate rules, so an event that breaks them is caught at
// the edge, never by a database halfway through a transaction. Neither side throws for bad data:
// each gets the reason and decides (the relay parks the row, the consumer stores poison).
//
// JSON as the public JSON elsewhere (platform/http/proto-json.ts): proto field names, 64-bit
// integers as JSON numbers. Decoding accepts what any proto3 JSON parser accepts (numbers or
// strings for 64-bit integers, either field-name casing, RFC 3339 offsets) and ignores unknown
// fields, so a producer can add a field before its consumers know it.

import { type DescMessage, fromJson, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { toJsonObject } from "../http/proto-json.ts";
import { violationsOf } from "../validation.ts";

/** Reasons are stored with the rejected event and logged: long enough to act on, bounded. */
const MAX_REASON = 500;

/** The JSON text of `message`, or why it cannot be sent: it breaks its rules, or has no JSON form. */
export function encodeEvent<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): { value: string } | { reason: string } {
  try {
    const violations = violationsOf(schema, message);
    if (violations !== undefined) return { reason: bounded(violations) };
    return { value: JSON.stringify(toJsonObject(schema, message)) };
  } catch (err) {
    return { reason: bounded(`cannot encode ${schema.typeName}: ${messageOf(err)}`) };
  }
}

/** The message `value` holds, or why it is not one that keeps its proto's rules. */
export function decodeEvent<Desc extends DescMessage>(
  schema: Desc,
  value: string,
): { message: MessageShape<Desc> } | { reason: string } {
  let json: JsonValue;
  try {
    json = JSON.parse(value) as JsonValue;
  } catch {
    return { reason: "value is not JSON" };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { reason: "value is not a JSON object" };
  }
  let message: MessageShape<Desc>;
  try {
    message = fromJson(schema, json, { ignoreUnknownFields: true });
  } catch (err) {
    return { reason: bounded(`not a ${schema.typeName}: ${messageOf(err)}`) };
  }
  const violations = violationsOf(schema, message);
  return violations === undefined ? { message } : { reason: bounded(violations) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function bounded(reason: string): string {
  return reason.length <= MAX_REASON ? reason : `${reason.slice(0, MAX_REASON - 1)}…`;
}
