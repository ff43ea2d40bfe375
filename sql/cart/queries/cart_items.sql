-- name: ListCartItems :many
SELECT sku, count
FROM cart_items
WHERE user_id = sqlc.arg(user_id)
ORDER BY sku;

-- Adds `count` to the item, but only while the new total stays within `max_total` (the stock
-- available when the caller checked): the check and the write are one statement, so two
-- concurrent adds cannot together overshoot what the caller saw.
-- name: AddCartItem :execrows
INSERT INTO cart_items (user_id, sku, count)
SELECT sqlc.arg(user_id)::bigint, sqlc.arg(sku)::bigint, sqlc.arg(count)::integer
WHERE sqlc.arg(count)::integer <= sqlc.arg(max_total)::bigint
ON CONFLICT (user_id, sku) DO UPDATE
SET count = cart_items.count + excluded.count
WHERE cart_items.count + excluded.count <= sqlc.arg(max_total)::bigint;

-- name: DeleteCartItem :exec
DELETE FROM cart_items
WHERE user_id = sqlc.arg(user_id) AND sku = sqlc.arg(sku);

-- name: ClearCart :exec
DELETE FROM cart_items
WHERE user_id = sqlc.arg(user_id);
