-- Claims the oldest pending events for this relay's transaction. Only one relay runs at a time
-- (advisory lock); SKIP LOCKED keeps a second one, should it ever overlap, off rows in flight.
-- Parked rows, and the later events of an order with a parked row, wait (see ParkOrderEvent).
-- `held_order_ids`: orders whose partition just failed, left out for a back-off so that the
-- rest goes on (loms/relay-holdback.ts).
-- name: ClaimPendingOrderEvents :many
SELECT id, event_id, order_id, status, moment, request_id, trace_context, attempts
FROM order_events_outbox e
WHERE sent_at IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM order_events_outbox p
      WHERE p.order_id = e.order_id AND p.parked_at IS NOT NULL
  )
  AND e.order_id <> ALL(sqlc.arg(held_order_ids)::bigint[])
ORDER BY id
LIMIT sqlc.arg(batch_size)::integer
FOR UPDATE SKIP LOCKED;

-- name: MarkOrderEventsSent :execrows
UPDATE order_events_outbox
SET sent_at = now()
WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: MarkOrderEventsFailed :execrows
UPDATE order_events_outbox
SET attempts = attempts + 1, last_error = sqlc.arg(last_error)
WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- Sets aside a row the relay cannot encode, with why; it stays unsent until an operator fixes
-- and unparks it (parked_at = NULL) or deletes it.
-- name: ParkOrderEvent :exec
UPDATE order_events_outbox
SET parked_at = now(), park_reason = sqlc.arg(reason)
WHERE id = sqlc.arg(id);

-- Deletes one batch of events sent longer than the retention ago (by the database's clock, the
-- one sent_at was written with). Every LOMS replica runs the cleanup: SKIP LOCKED splits the
-- rows between them instead of making one wait for the other's batch.
-- name: DeleteSentOrderEvents :execrows
DELETE FROM order_events_outbox
WHERE id IN (
    SELECT id FROM order_events_outbox
    WHERE sent_at < now() - sqlc.arg(retention_ms)::bigint * interval '1 millisecond'
    ORDER BY sent_at
    LIMIT sqlc.arg(batch_size)::integer
    FOR UPDATE SKIP LOCKED
);

-- name: ListOrderEvents :many
SELECT event_id, order_id, status, moment, request_id, attempts, last_error, sent_at
FROM order_events_outbox
WHERE order_id = sqlc.arg(order_id)
ORDER BY id;
