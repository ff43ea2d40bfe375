// The one protovalidate validator of a process: the rules written in the protos (buf.validate)
// checked wherever a message crosses a boundary — gRPC and HTTP requests
// (rpc/interceptors/validation.ts) and events on the bus (events/json-codec.ts). One instance,
// because it compiles and caches each message's rules on first use.

import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";

const validator = createValidator();

/**
 * Why `message` breaks its proto's rules, one "field: violation" per rule, or undefined when it
 * keeps them all. A rule the validator cannot evaluate throws: that is our bug, not the data's.
 */
export function violationsOf<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): string | undefined {
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return undefined;
  if (result.kind === "error") throw result.error;
  return result.violations.map((v) => v.toString()).join("; ");
}
