-- name: CountOrdersByStatus :many
-- For the orders-by-status gauge, read at scrape time.
SELECT status, count(*)::bigint AS orders
FROM orders
GROUP BY status;

-- name: OutboxBacklog :one
-- For the outbox gauges: events not yet acknowledged by Kafka, and the age of the oldest one
-- (the relay's lag), read at scrape time.
SELECT count(*)::bigint AS pending,
       coalesce(extract(epoch FROM now() - min(moment)), 0)::float8 AS oldest_seconds
FROM order_events_outbox
WHERE sent_at IS NULL;
