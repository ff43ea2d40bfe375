import { describe, expect, mock, test } from "bun:test";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { codeOf } from "../tests/support/code-of.ts";
import { decodeOrderEvent } from "./event-decoding.ts";
import type { IncomingMessage } from "./model.ts";
import type { NotificationObserver, NotificationStore, Notifier } from "./ports.ts";
import { NotificationsUsecase } from "./usecase.ts";

const ctx = backgroundCtx();
const EVENT_ID = "0b9d6c1e-52f4-4c3a-9a53-1c1f2b3d4e5f";
const valid = { event_id: EVENT_ID, order_id: 42, status: "payed", moment: "2026-11-24T18:00:00.123Z" };
const message = (value: unknown): IncomingMessage => ({
  topic: "loms.order-events",
  partition: 3,
  offset: 17,
  key: "42",
  value: typeof value === "string" ? value : JSON.stringify(value),
  headers: { "event-id": EVENT_ID },
});

function fakes(seen = new Set<string>()) {
  const store = {
    record: mock<NotificationStore["record"]>(
      async (_ctx, n) => !seen.has(n.eventId) && Boolean(seen.add(n.eventId)),
    ),
    listByOrder: mock<NotificationStore["listByOrder"]>(async () => []),
    savePoison: mock<NotificationStore["savePoison"]>(async () => true),
    listPoison: mock<NotificationStore["listPoison"]>(async () => []),
    markPoisonReplayed: mock<NotificationStore["markPoisonReplayed"]>(async () => {}),
  };
  const notifier = { notify: mock<Notifier["notify"]>(() => {}) };
  const observer = {
    handled: mock<NotificationObserver["handled"]>(() => {}),
    poison: mock<NotificationObserver["poison"]>(() => {}),
  };
  return {
    store,
    notifier,
    observer,
    usecase: new NotificationsUsecase(
      store as unknown as NotificationStore,
      notifier,
      observer,
      decodeOrderEvent,
    ),
  };
}

describe("handle", () => {
  test("a new event is stored with its id at once, then notified once", async () => {
    const f = fakes();
    expect(await f.usecase.handle(ctx, message(valid))).toBe("notified");
    const event = { eventId: EVENT_ID, orderId: 42, status: "payed", moment: new Date(valid.moment) };
    expect(f.store.record).toHaveBeenCalledTimes(1);
    expect(f.store.record).toHaveBeenCalledWith(ctx, event);
    expect(f.notifier.notify).toHaveBeenCalledWith(event);
    expect(f.observer.handled).toHaveBeenCalledWith("notified", expect.any(Number));
  });

  test("a redelivered event is a duplicate: not stored, not notified, counted", async () => {
    const f = fakes(new Set([EVENT_ID]));
    expect(await f.usecase.handle(ctx, message(valid))).toBe("duplicate");
    expect(f.notifier.notify).not.toHaveBeenCalled();
    expect(f.observer.handled).toHaveBeenCalledWith("duplicate", expect.any(Number));
  });

  test("a store failure propagates (the message is redelivered) and notifies nothing", async () => {
    const f = fakes();
    f.store.record.mockRejectedValueOnce(AppError.unavailable("db down"));
    expect(await codeOf(f.usecase.handle(ctx, message(valid)))).toBe("UNAVAILABLE");
    expect(f.notifier.notify).not.toHaveBeenCalled();
    expect(f.observer.handled).not.toHaveBeenCalled();
  });

  const poisons: [string, unknown][] = [
    ["value is not JSON", "{broken"],
    ["value is not a JSON object", [1, 2]],
    ["status: must be in list", { ...valid, status: "shipped" }],
    ["event_id", { ...valid, event_id: "x" }],
    ["order_id", { ...valid, order_id: "forty-two" }],
    ["order_id", { ...valid, order_id: 0 }],
    ["Timestamp", { ...valid, moment: "yesterday" }],
    ["Timestamp", { ...valid, moment: "2026-13-45T99:00:00Z" }],
    ["moment: must be greater than or equal to 2000", { ...valid, moment: "1970-01-01T00:00:00Z" }],
  ];
  for (const [reason, value] of poisons) {
    test(`poison (${reason}) is stored, counted and skipped`, async () => {
      const f = fakes();
      const m = message(value);
      expect(await f.usecase.handle(ctx, m)).toBe("poison");
      expect(f.store.savePoison).toHaveBeenCalledWith(ctx, m, expect.stringContaining(reason));
      expect(f.observer.poison).toHaveBeenCalledTimes(1);
      expect(f.store.record).not.toHaveBeenCalled();
      expect(f.notifier.notify).not.toHaveBeenCalled();
    });
  }

  test("a poison message stored before (redelivered) is not reported twice", async () => {
    const f = fakes();
    f.store.savePoison.mockResolvedValueOnce(false);
    expect(await f.usecase.handle(ctx, message("{broken"))).toBe("poison");
    expect(f.observer.poison).not.toHaveBeenCalled();
  });
});

describe("list and decode", () => {
  test("list rejects non-positive or unsafe ids, passes valid ones to the store", async () => {
    const f = fakes();
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(await codeOf(f.usecase.list(ctx, bad))).toBe("INVALID_ARGUMENT");
    }
    expect(await f.usecase.list(ctx, 7)).toEqual([]);
    expect(f.store.listByOrder).toHaveBeenCalledWith(ctx, 7);
  });
});

describe("what the database refuses", () => {
  test("a refusal of the values (INVALID_ARGUMENT from the store) is poison with its reason", async () => {
    const f = fakes();
    f.store.record.mockRejectedValueOnce(AppError.invalidArgument("SQLSTATE 23514 check_violation"));
    const m = message(valid);
    expect(await f.usecase.handle(ctx, m)).toBe("poison");
    expect(f.store.savePoison).toHaveBeenCalledWith(ctx, m, expect.stringContaining("SQLSTATE 23514"));
    expect(f.notifier.notify).not.toHaveBeenCalled();
  });
});

describe("replaying poison", () => {
  test("what passes now is handled and marked replayed; what does not stays, with today's reason", async () => {
    const f = fakes();
    f.store.listPoison.mockResolvedValueOnce([
      { id: 1, message: message(valid) },
      { id: 2, message: message({ ...valid, status: "shipped" }) },
    ]);
    const replays = await f.usecase.replayPoison(ctx, 10);
    expect(replays).toEqual([
      { id: 1, outcome: "notified" },
      { id: 2, outcome: "poison", reason: expect.stringContaining("status") },
    ]);
    expect(f.store.markPoisonReplayed).toHaveBeenCalledTimes(1);
    expect(f.store.markPoisonReplayed).toHaveBeenCalledWith(ctx, 1);
    expect(f.store.savePoison).not.toHaveBeenCalled();
  });
});

describe("decoding", () => {
  test("accepts an offset in the moment and order_id as a JSON string (proto3 JSON)", async () => {
    const f = fakes();
    const m = message({ ...valid, order_id: "42", moment: "2026-11-24T21:00:00.123+03:00" });
    expect(await f.usecase.handle(ctx, m)).toBe("notified");
    const stored = f.store.record.mock.calls[0]?.[1];
    expect(stored).toEqual({
      eventId: EVENT_ID,
      orderId: 42,
      status: "payed",
      moment: new Date(valid.moment),
    });
  });
});
