-- name: CountOrdersByStatus :many
-- For the orders-by-status gauge, read at scrape time.
SELECT status, count(*)::bigint AS orders
FROM orders
GROUP BY status;

-- name: OutboxBacklog :one
-- For the outbox gauges: events not yet acknowledged by Kafka, and the age of the oldest one
-- (the relay's lag), read at scrape time. Parked rows wait for an operator, not for the relay:
-- counted apart (their moment may be anything, e.g. year 1 BC), so the lag stays the relay's.
SELECT count(*) FILTER (WHERE parked_at IS NULL)::bigint AS pending,
       coalesce(extract(epoch FROM now() - min(moment) FILTER (WHERE parked_at IS NULL)), 0)::float8
           AS oldest_seconds,
       count(*) FILTER (WHERE parked_at IS NOT NULL)::bigint AS parked
FROM order_events_outbox
WHERE sent_at IS NULL;
