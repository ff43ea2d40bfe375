-- migrate:up
-- Exactly once: an event id enters processed_events once (primary key), in the same
-- transaction as its notification row, so a redelivered event finds its id and is skipped.
CREATE TABLE processed_events (
    event_id     uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   uuid        NOT NULL UNIQUE REFERENCES processed_events (event_id),
    order_id   bigint      NOT NULL CHECK (order_id > 0),
    status     text        NOT NULL
        CHECK (status IN ('new', 'awaiting payment', 'failed', 'payed', 'cancelled')),
    moment     timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- GET /notifications?order_id=N reads one order's rows in the order they were handled.
CREATE INDEX notifications_order_idx ON notifications (order_id, id);

-- Messages that could not be understood (bad JSON, unknown status...), kept for inspection.
-- One row per message: a redelivered poison message is not stored twice.
CREATE TABLE poison_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    key         text        NOT NULL,
    value       text        NOT NULL,
    headers     jsonb       NOT NULL,
    reason      text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, partition, "offset")
);

-- migrate:down
DROP TABLE poison_messages;
DROP TABLE notifications;
DROP TABLE processed_events;
