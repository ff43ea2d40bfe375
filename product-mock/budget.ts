// product-mock's own rate limit and its own record of it. The use case admits a call here only
// after the token check, so callers with bad tokens cannot spend the budget of those with good
// ones (the real catalog answers a stranger 401 whatever its rate).
//
// The record is product-mock's evidence, independent of any client: the arrival time of every
// authenticated call (admitted or refused) over the last `keepMs`, from which `/calls` answers
// how many arrived since a moment, how many were refused, and the most that arrived in any one
// sliding window — "no call over 10 in any second" is `busiest_window <= 10`.

import { MemoryRateLimitStore, RateLimiter } from "../platform/concurrency/rate-limiter.ts";
import { sendJson } from "../platform/http/io.ts";
import type { Endpoint } from "../platform/http/server.ts";
import type { CallBudget } from "./usecase.ts";

const MAX_ARRIVALS = 200_000;

interface Arrival {
  readonly at: number;
  readonly admitted: boolean;
}

export type CallReport = {
  readonly calls: number;
  readonly refused: number;
  /** Most arrivals (admitted or not) in any window of `window_ms`, since the moment asked for. */
  readonly busiest_window: number;
  readonly window_ms: number;
};

export class RecordedBudget implements CallBudget {
  readonly #limiter: RateLimiter;
  readonly #arrivals: Arrival[] = [];

  constructor(
    readonly rps: number,
    private readonly keepMs = 600_000,
    private readonly now: () => number = Date.now,
  ) {
    this.#limiter = new RateLimiter(new MemoryRateLimitStore(), "product-mock", rps);
  }

  async admit(): Promise<boolean> {
    const admitted = await this.#limiter.tryAcquire();
    const at = this.now();
    this.#arrivals.push({ at, admitted });
    // Bounded in time and size: arrivals older than keepMs go (amortized: in chunks), and under
    // a flood of authenticated calls the oldest half goes beyond MAX_ARRIVALS (a test reading
    // /calls then sees at most the latest MAX_ARRIVALS).
    if ((this.#arrivals[0]?.at ?? at) < at - this.keepMs * 2) {
      const keepFrom = this.#arrivals.findIndex((a) => a.at >= at - this.keepMs);
      this.#arrivals.splice(0, keepFrom);
    }
    if (this.#arrivals.length > MAX_ARRIVALS) this.#arrivals.splice(0, MAX_ARRIVALS / 2);
    return admitted;
  }

  report(sinceMs: number, windowMs = this.#limiter.windowMs): CallReport {
    const times = this.#arrivals.filter((a) => a.at >= sinceMs);
    let busiest = 0;
    let first = 0;
    for (let last = 0; last < times.length; last++) {
      while ((times[first]?.at ?? 0) <= (times[last]?.at ?? 0) - windowMs) first++;
      busiest = Math.max(busiest, last - first + 1);
    }
    const refused = times.filter((a) => !a.admitted).length;
    return { calls: times.length, refused, busiest_window: busiest, window_ms: windowMs };
  }

  /** GET /calls?since=<unix ms>: the report since then (default: everything kept). */
  endpoint(): Endpoint {
    return (req, res) => {
      const since = Number(new URL(req.url ?? "/", "http://x").searchParams.get("since") ?? 0);
      if (!Number.isFinite(since))
        return sendJson(res, 400, { code: "INVALID_ARGUMENT", message: "since must be a number (unix ms)" });
      sendJson(res, 200, this.report(since));
    };
  }
}
