// The notifications HTTP query: GET /notifications?order_id=N →
// {"notifications":[{"event_id","order_id","status","moment"}]}, oldest first.

import type { IncomingMessage, ServerResponse } from "node:http";
import { sendError, sendJson } from "../platform/http/io.ts";
import type { Endpoint } from "../platform/http/server.ts";
import { backgroundCtx, withTimeout } from "../platform/rpc/context.ts";
import { AppError, httpStatusOf } from "../platform/rpc/errors.ts";
import type { NotificationsUsecase } from "./usecase.ts";

const REQUEST_TIMEOUT_MS = 10_000;

export function notificationsEndpoints(usecase: NotificationsUsecase): Record<string, Endpoint> {
  return {
    "/notifications": async (req: IncomingMessage, res: ServerResponse) => {
      // The client going away, or the timeout, cancels the query made on its behalf.
      const closed = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) closed.abort(new AppError("CANCELLED", "client closed the connection"));
      });
      const { ctx, dispose } = withTimeout(backgroundCtx(closed.signal), REQUEST_TIMEOUT_MS);
      try {
        if (req.method !== "GET") {
          res.setHeader("allow", "GET");
          return sendError(res, 405, "UNIMPLEMENTED", `${req.method} is not supported on /notifications`);
        }
        const list = await usecase.list(ctx, orderIdOf(req.url ?? ""));
        sendJson(res, 200, {
          notifications: list.map((n) => ({
            event_id: n.eventId,
            order_id: n.orderId,
            status: n.status,
            moment: n.moment.toISOString(),
          })),
        });
      } catch (err) {
        const error = AppError.from(err);
        sendError(
          res,
          httpStatusOf(error.code),
          error.code,
          error.code === "INTERNAL" ? "internal error" : error.message,
        );
      } finally {
        dispose();
      }
    },
  };
}

function orderIdOf(url: string): number {
  const values = new URL(url, "http://x").searchParams.getAll("order_id");
  const raw = values[0];
  if (values.length !== 1 || raw === undefined || !/^[1-9][0-9]{0,15}$/.test(raw)) {
    throw AppError.invalidArgument("order_id must be given once, as a positive integer");
  }
  return Number(raw);
}
