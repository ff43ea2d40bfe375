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

-- Checkout's removal of what an order holds, in two statements run in one transaction: lines
-- holding no more than the order took are deleted; lines that grew while checkout ran keep the
-- difference (SubtractOrderedItems). Lines the order does not hold are never touched.
-- name: DeleteOrderedItems :exec
DELETE FROM cart_items AS c
USING (
    -- Set-returning functions in one select list advance together: the arrays zip pairwise.
    SELECT unnest(sqlc.arg(skus)::bigint[]) AS sku, unnest(sqlc.arg(counts)::integer[]) AS count
) AS o
WHERE c.user_id = sqlc.arg(user_id) AND c.sku = o.sku AND c.count <= o.count;

-- name: SubtractOrderedItems :exec
UPDATE cart_items AS c
SET count = c.count - o.count
FROM (
    SELECT unnest(sqlc.arg(skus)::bigint[]) AS sku, unnest(sqlc.arg(counts)::integer[]) AS count
) AS o
WHERE c.user_id = sqlc.arg(user_id) AND c.sku = o.sku AND c.count > o.count;
