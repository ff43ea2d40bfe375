-- name: ParkExpiredOrder :exec
INSERT INTO expiry_parked_orders (order_id, reason)
VALUES (sqlc.arg(order_id), sqlc.arg(reason))
ON CONFLICT (order_id) DO NOTHING;
