// Replays each user's cart operations (one client, one operation at a time) into what the cart
// must hold. Every operation is done (2xx), not done (a definite 4xx, or refused before it was
// sent), or maybe done (no answer, 409, 5xx); a maybe makes the affected counts uncertain.

import type { Op } from "./history.ts";

interface MustHoldLine {
  readonly user: number;
  readonly sku: number;
  /** When the last acknowledged add was answered (ms since the run began). */
  readonly at: number;
  /** A checkout that may have happened since: the line may be in one of the user's orders. */
  readonly mayBeOrdered: boolean;
}

export interface CartReplay {
  /** Lines acknowledged as added and not removed by any delete or clear that may have happened. */
  readonly mustHold: readonly MustHoldLine[];
  /** "user/sku" → the exact count the cart must hold (0: no line), where no doubt remains. */
  readonly exact: ReadonlyMap<string, number>;
  /** For an acknowledged checkout whose cart was certain: the items the order must hold. */
  readonly orderedItems: ReadonlyMap<Op, readonly { sku: number; count: number }[]>;
}

type Effect = "done" | "not done" | "maybe";

export function effectOf(op: Op): Effect {
  if (op.outcome === "ok") return "done";
  if (op.error === "refused") return "not done";
  if (op.status >= 400 && op.status < 500 && op.status !== 409) return "not done";
  return "maybe";
}

interface Line {
  count: number | null;
  hold: { at: number; mayBeOrdered: boolean } | null;
}

type Lines = Map<number, Line>;
type Ordered = Map<Op, { sku: number; count: number }[]>;

export function replayCarts(history: readonly Op[]): CartReplay {
  const mustHold: MustHoldLine[] = [];
  const exact = new Map<string, number>();
  const orderedItems: Ordered = new Map();
  const byUser = new Map<number, Op[]>();
  for (const op of history) byUser.set(op.user, [...(byUser.get(op.user) ?? []), op]);
  for (const [user, ops] of byUser) {
    const lines: Lines = new Map();
    for (const op of [...ops].sort((a, b) => a.start - b.start)) apply(lines, op, orderedItems);
    for (const [sku, l] of lines) {
      if (l.hold) mustHold.push({ user, sku, ...l.hold });
      if (l.count !== null) exact.set(`${user}/${sku}`, l.count);
    }
  }
  return { mustHold, exact, orderedItems };
}

function lineOf(lines: Lines, sku: number): Line {
  const found = lines.get(sku);
  if (found) return found;
  const fresh: Line = { count: 0, hold: null };
  lines.set(sku, fresh);
  return fresh;
}

function apply(lines: Lines, op: Op, orderedItems: Ordered): void {
  const effect = effectOf(op);
  if (effect === "not done") return;
  const done = effect === "done";
  if (op.kind === "add") add(lineOf(lines, op.sku as number), op, done);
  else if (op.kind === "delete") forget(lineOf(lines, op.sku as number), done);
  else if (op.kind === "clear") for (const l of lines.values()) forget(l, done);
  else if (op.kind === "checkout") checkout(lines, op, done, orderedItems);
}

function add(l: Line, op: Op, done: boolean): void {
  l.count = done && l.count !== null ? l.count + (op.count as number) : null;
  if (done) l.hold = { at: op.end, mayBeOrdered: false };
}

/** A delete or clear that was done (0), or may have been (unknown); either way nothing is owed. */
function forget(l: Line, done: boolean): void {
  l.count = done ? 0 : null;
  l.hold = null;
}

function checkout(lines: Lines, op: Op, done: boolean, orderedItems: Ordered): void {
  if (done && [...lines.values()].every((l) => l.count !== null)) orderedItems.set(op, itemsOf(lines));
  for (const l of lines.values()) {
    // Done: the cart went into the order. Maybe: it did or it did not.
    l.count = done ? 0 : null;
    if (l.hold) l.hold = { ...l.hold, mayBeOrdered: true };
  }
}

const itemsOf = (lines: Lines) =>
  [...lines]
    .filter(([, l]) => (l.count as number) > 0)
    .map(([sku, l]) => ({ sku, count: l.count as number }))
    .sort((a, b) => a.sku - b.sku);
