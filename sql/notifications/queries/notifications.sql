-- Exactly once in one statement: the event id enters processed_events and its notification is
-- inserted, or, for an id seen before, neither. Through pgbouncer (no prepared statements) this
-- costs two round trips; the two statements in a transaction it replaces cost six. One statement is atomic: a notification the
-- database refuses takes the event id with it. Returns 1 when stored, 0 for a duplicate.
-- name: RecordNotification :execrows
WITH processed AS (
    INSERT INTO processed_events (event_id)
    VALUES (sqlc.arg(event_id))
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
)
INSERT INTO notifications (event_id, order_id, status, moment)
SELECT event_id, sqlc.arg(order_id)::bigint, sqlc.arg(status)::text, sqlc.arg(moment)::timestamptz
FROM processed;

-- name: ListNotifications :many
SELECT event_id, order_id, status, moment
FROM notifications
WHERE order_id = sqlc.arg(order_id)
ORDER BY id;

-- Returns 1 when stored, 0 when this message was stored before (a redelivery).
-- name: InsertPoisonMessage :execrows
INSERT INTO poison_messages (topic, partition, "offset", key, value, headers, reason)
VALUES (sqlc.arg(topic), sqlc.arg(partition), sqlc.arg(message_offset), sqlc.arg(key), sqlc.arg(value),
        sqlc.arg(headers), sqlc.arg(reason))
ON CONFLICT (topic, partition, "offset") DO NOTHING;

-- name: ListPoisonMessages :many
SELECT topic, partition, "offset", key, value, reason
FROM poison_messages
ORDER BY id;

-- Poison messages waiting for a replay, oldest first.
-- name: ListUnreplayedPoison :many
SELECT id, topic, partition, "offset", key, value, headers
FROM poison_messages
WHERE replayed_at IS NULL
ORDER BY id
LIMIT sqlc.arg(max_rows)::integer;

-- name: MarkPoisonReplayed :exec
UPDATE poison_messages SET replayed_at = now() WHERE id = sqlc.arg(id);
