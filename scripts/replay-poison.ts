// Replays the poison messages notifications stored (docs/operations.md): each runs through
// handling again, as a delivery would. One that passes now (the decoder, the schema or the stored
// value was fixed) becomes its notification — once: event ids still deduplicate — and its row is
// marked replayed_at; the others stay, printed with the reason they fail for now.
//   bun scripts/replay-poison.ts [--limit N]        (make replay-poison)
// Database: NOTIFICATIONS_DATABASE_URL, as the service reads it (deploy/env/notifications.env).

import { parseArgs } from "node:util";
import { decodeOrderEvent } from "../notifications/event-decoding.ts";
import { notificationsConfig } from "../notifications/main.ts";
import { logNotifier } from "../notifications/notifier.ts";
import { PgNotificationStore } from "../notifications/repo.ts";
import { NotificationsUsecase } from "../notifications/usecase.ts";
import { Database } from "../platform/db/postgres.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";

const { values } = parseArgs({ options: { limit: { type: "string", default: "1000" } } });
const limit = Number(values.limit);
if (!Number.isSafeInteger(limit) || limit <= 0) {
  console.error("--limit must be a positive integer");
  process.exit(2);
}

const config = notificationsConfig(process.env);
const db = new Database({ url: config.databaseUrl, max: 1, applicationName: "notifications-replay" });
const usecase = new NotificationsUsecase(
  new PgNotificationStore(db),
  logNotifier(createLogger("notifications-replay")),
  { handled: () => {}, poison: () => {} }, // nothing is stored as poison again: rows stay as they are
  decodeOrderEvent,
);
try {
  const replays = await usecase.replayPoison(backgroundCtx(AbortSignal.timeout(120_000)), limit);
  for (const replay of replays) console.log(JSON.stringify(replay));
  const stillPoison = replays.filter((r) => r.outcome === "poison").length;
  console.log(`replayed ${replays.length - stillPoison} of ${replays.length}; ${stillPoison} still poison`);
} finally {
  await db.close();
}
