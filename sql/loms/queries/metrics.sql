-- name: CountOrdersByStatus :many
-- For the orders-by-status gauge, read at scrape time.
SELECT status, count(*)::bigint AS orders
FROM orders
GROUP BY status;
