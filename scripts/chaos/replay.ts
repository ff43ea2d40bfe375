// Replays each user's cart operations (one client, one operation at a time) into what the cart
// must hold. Every operation is done (2xx), not done (a definite 4xx, or refused before it was
// sent), or maybe done (no answer, 409, 5xx); a maybe makes the affected counts uncertain.

import type { Op } from "./history.ts";

export interface MustHoldLine {
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

export function replayCarts(history: readonly Op[]): CartReplay {
  const mustHold: MustHoldLine[] = [];
  const exact = new Map<string, number>();
  const orderedItems = new Map<Op, { sku: number; count: number }[]>();
  const byUser = new Map<number, Op[]>();
  for (const op of history) byUser.set(op.user, [...(byUser.get(op.user) ?? []), op]);
  for (const [user, ops] of byUser) {
    const lines = new Map<number, Line>();
    const line = (sku: number) => {
      let l = lines.get(sku);
      if (!l) lines.set(sku, (l = { count: 0, hold: null }));
      return l;
    };
    for (const op of [...ops].sort((a, b) => a.start - b.start)) {
      const effect = effectOf(op);
      if (effect === "not done") continue;
      switch (op.kind) {
        case "add": {
          const l = line(op.sku as number);
          if (effect === "done") {
            l.count = l.count === null ? null : l.count + (op.count as number);
            l.hold = { at: op.end, mayBeOrdered: false };
          } else l.count = null;
          break;
        }
        case "delete": {
          const l = line(op.sku as number);
          l.count = effect === "done" ? 0 : null;
          l.hold = null;
          break;
        }
        case "clear":
          for (const l of lines.values()) {
            l.count = effect === "done" ? 0 : null;
            l.hold = null;
          }
          break;
        case "checkout": {
          const certain = [...lines.values()].every((l) => l.count !== null);
          if (effect === "done" && certain)
            orderedItems.set(
              op,
              [...lines]
                .filter(([, l]) => (l.count as number) > 0)
                .map(([sku, l]) => ({ sku, count: l.count as number }))
                .sort((a, b) => a.sku - b.sku),
            );
          for (const l of lines.values()) {
            // Done: the cart is cleared into the order. Maybe: either.
            l.count = effect === "done" ? 0 : null;
            if (l.hold) l.hold = { ...l.hold, mayBeOrdered: true };
          }
          break;
        }
        default:
          break;
      }
    }
    for (const [sku, l] of lines) {
      if (l.hold) mustHold.push({ user, sku, ...l.hold });
      if (l.count !== null) exact.set(`${user}/${sku}`, l.count);
    }
  }
  return { mustHold, exact, orderedItems };
}
