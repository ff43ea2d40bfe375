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

-- Checkout's completion in one statement (one round trip instead of five), run after
-- LockCheckoutKey in the same transaction, so under the key row lock: the key is replaced while
-- it is still `checkout_key` (the next checkout gets a new one); the order is recorded as checked
-- out, and only the first time (a repeat must remove nothing: the user may have added the same
-- SKUs since) its lines leave the cart: lines holding no more than the order took are deleted,
-- lines that grew while checkout ran keep the difference, lines the order does not hold are
-- never touched. Records older than a day go: one is needed only while a request holding the
-- order's old key can still run (seconds). The sub-statements run on one snapshot in no set
-- order; none reads another's rows except through `recorded`, which gates the cart's changes.
-- name: CompleteCheckout :exec
WITH replaced AS (
    UPDATE cart_checkout_keys AS k
    SET checkout_key = gen_random_uuid()::text
    WHERE k.user_id = sqlc.arg(user_id) AND k.checkout_key = sqlc.arg(checkout_key)
), recorded AS (
    INSERT INTO cart_checked_out_orders (user_id, order_id)
    VALUES (sqlc.arg(user_id), sqlc.arg(order_id))
    ON CONFLICT DO NOTHING
    RETURNING order_id
), ordered AS (
    -- Set-returning functions in one select list advance together: the arrays zip pairwise.
    SELECT unnest(sqlc.arg(skus)::bigint[]) AS sku, unnest(sqlc.arg(counts)::integer[]) AS count
    FROM recorded
), deleted AS (
    DELETE FROM cart_items AS c
    USING ordered AS o
    WHERE c.user_id = sqlc.arg(user_id) AND c.sku = o.sku AND c.count <= o.count
), subtracted AS (
    UPDATE cart_items AS c
    SET count = c.count - o.count
    FROM ordered AS o
    WHERE c.user_id = sqlc.arg(user_id) AND c.sku = o.sku AND c.count > o.count
)
DELETE FROM cart_checked_out_orders AS r
WHERE r.user_id = sqlc.arg(user_id) AND r.checked_out_at < now() - interval '1 day';
