-- The user's current checkout key, created on first use. The upsert locks the key row until the
-- transaction ends, so the lines read after it in the same transaction belong to this key: a
-- concurrent cleanup (which replaces the key and removes lines under the same lock) is either
-- wholly before or wholly after.
-- name: LockCheckoutKey :one
INSERT INTO cart_checkout_keys (user_id, checkout_key)
VALUES (sqlc.arg(user_id), gen_random_uuid()::text)
ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id
RETURNING checkout_key;

-- Replaces the key, but only while it is still `checkout_key`: 1 for the first caller, 0 for any
-- later one (a concurrent checkout replaced it already). The next checkout gets a new key.
-- name: ReplaceCheckoutKey :execrows
UPDATE cart_checkout_keys
SET checkout_key = gen_random_uuid()::text
WHERE user_id = sqlc.arg(user_id) AND checkout_key = sqlc.arg(checkout_key);

-- Records that an order's lines were taken out of the cart: 1 the first time, 0 for a repeat
-- (which must remove nothing: the user may have added the same SKUs since).
-- name: RecordCheckedOutOrder :execrows
INSERT INTO cart_checked_out_orders (user_id, order_id)
VALUES (sqlc.arg(user_id), sqlc.arg(order_id))
ON CONFLICT DO NOTHING;

-- A record is needed only while a request holding the order's old key can still run (seconds);
-- a day is far beyond any deadline.
-- name: PruneCheckedOutOrders :exec
DELETE FROM cart_checked_out_orders
WHERE user_id = sqlc.arg(user_id) AND checked_out_at < now() - interval '1 day';
