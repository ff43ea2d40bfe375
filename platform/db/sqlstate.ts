// What a database error says about trying again, read from its SQLSTATE. A consumer that must
// not stall on one message needs this split (notifications: poison or retry):
// - permanent: classes 22 (data exception: a value out of range, a NUL in text, a bad uuid...)
//   and 23 (integrity constraint violation: a CHECK, NOT NULL, UNIQUE...). The same statement
//   with the same values fails the same way on every retry.
// - everything else is worth retrying: 08 (connection lost), 40001 / 40P01 (serialization
//   failure, deadlock), 53300 (too many connections), 57P0x (server shutting down or starting),
//   the driver's own connection errors — and also what we do not recognise (a 42xxx after a bad
//   deploy), because retrying a message until a fix ships loses nothing, while calling it poison
//   would drop every message that meets the bug.

/** SQLSTATE → condition name, for the reasons we store and log (no values, no SQL). */
const CONDITIONS: Readonly<Record<string, string>> = {
  "22001": "string_data_right_truncation",
  "22003": "numeric_value_out_of_range",
  "22007": "invalid_datetime_format",
  "22008": "datetime_field_overflow",
  "22021": "character_not_in_repertoire",
  "22P02": "invalid_text_representation",
  "23502": "not_null_violation",
  "23503": "foreign_key_violation",
  "23505": "unique_violation",
  "23514": "check_violation",
};

interface PgErrorFields {
  readonly code: string;
  readonly constraint_name?: unknown;
  readonly column_name?: unknown;
}

/** The Postgres error in `err` or its causes (an AppError keeps the driver's error as cause). */
function pgErrorOf(err: unknown): PgErrorFields | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return e as PgErrorFields;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the database refused the values themselves: retrying cannot succeed. */
export function isPermanentDbError(err: unknown): boolean {
  const state = pgErrorOf(err)?.code;
  return state !== undefined && (state.startsWith("22") || state.startsWith("23"));
}

/**
 * "SQLSTATE 23514 check_violation (constraint x)": what went wrong and where, without the
 * values or the statement (Postgres puts values in its messages; those stay out of logs).
 */
export function describeDbError(err: unknown): string {
  const e = pgErrorOf(err);
  if (!e) return "not a database error";
  const where = [
    typeof e.constraint_name === "string" ? `constraint ${e.constraint_name}` : undefined,
    typeof e.column_name === "string" ? `column ${e.column_name}` : undefined,
  ].filter(Boolean);
  const condition = CONDITIONS[e.code] ? ` ${CONDITIONS[e.code]}` : "";
  return `SQLSTATE ${e.code}${condition}${where.length > 0 ? ` (${where.join(", ")})` : ""}`;
}
