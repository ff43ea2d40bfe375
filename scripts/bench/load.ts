// One load measurement with autocannon (programmatic API), reduced to the figures the bench
// table prints.

import autocannon from "autocannon";

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly method?: "GET" | "POST";
  readonly body?: string;
  /** Builds each request's path and body (varying users, SKUs); overrides url's path/body. */
  readonly next?: () => { path: string; body?: string };
  /**
   * Instead of `next`: the requests each connection sends in turn, over and over, each built from
   * that connection's own state (e.g. add-item then checkout for one user per connection).
   */
  readonly steps?: readonly ((connection: Record<string, number>) => Step)[];
}

interface Step {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: string;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  /** Non-2xx answers, socket errors and timeouts. */
  readonly failures: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    method: options.method ?? "GET",
    body: options.body,
    headers: { "content-type": "application/json" },
    requests: options.steps
      ? options.steps.map((step) => ({
          setupRequest: (req: autocannon.Request, context: object) => {
            const { method, path, body } = step(context as Record<string, number>);
            return { ...req, method, path, body: body ?? "" };
          },
        }))
      : options.next
        ? [
            {
              setupRequest: (req: autocannon.Request) => {
                const n = options.next?.() ?? { path: "/" };
                return { ...req, path: n.path, body: n.body ?? req.body };
              },
            },
          ]
        : undefined,
  });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
