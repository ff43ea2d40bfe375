-- Stores an order, its items and the outbox event of its first status in one statement (one
-- round trip instead of three; data-modifying CTEs are all-or-nothing with the statement).
-- No row, and nothing stored, when another order already holds the checkout key. A concurrent
-- insert of the same key waits for the first transaction and then yields nothing (or inserts,
-- if that one rolled back).
-- name: InsertOrderWithEvent :many
WITH new_order AS (
    INSERT INTO orders (user_id, status, checkout_key)
    VALUES (sqlc.arg(user_id), sqlc.arg(status), sqlc.narg(checkout_key))
    ON CONFLICT (checkout_key) DO NOTHING
    RETURNING id
), items AS (
    INSERT INTO order_items (order_id, sku, count)
    -- Set-returning functions in one select list advance together: the arrays zip pairwise.
    SELECT new_order.id, unnest(sqlc.arg(skus)::bigint[]), unnest(sqlc.arg(counts)::bigint[])
    FROM new_order
), event AS (
    INSERT INTO order_events_outbox (event_id, order_id, status, moment, request_id, trace_context)
    SELECT sqlc.arg(event_id), new_order.id, sqlc.arg(status), sqlc.arg(moment),
           sqlc.narg(request_id), sqlc.narg(trace_context)
    FROM new_order
)
SELECT id FROM new_order;

-- name: GetOrderByCheckoutKey :one
SELECT id, user_id, status
FROM orders
WHERE checkout_key = sqlc.arg(checkout_key);

-- name: GetOrder :one
SELECT id, user_id, status
FROM orders
WHERE id = sqlc.arg(id);

-- Locks the order row so that concurrent pay/cancel/expiry of one order serialize.
-- name: GetOrderForUpdate :one
SELECT id, user_id, status
FROM orders
WHERE id = sqlc.arg(id)
FOR UPDATE;

-- name: GetOrderItems :many
SELECT sku, count
FROM order_items
WHERE order_id = sqlc.arg(order_id)
ORDER BY sku;

-- An order's new status and its outbox event, in one statement: one round trip instead of two,
-- and no way to write either without the other. Affects no row when the order does not exist.
-- name: SetOrderStatusWithEvent :execrows
WITH changed AS (
    UPDATE orders
    SET status = sqlc.arg(status), updated_at = now()
    WHERE orders.id = sqlc.arg(order_id)
    RETURNING orders.id
)
INSERT INTO order_events_outbox (event_id, order_id, status, moment, request_id, trace_context)
SELECT sqlc.arg(event_id), changed.id, sqlc.arg(status), sqlc.arg(moment),
       sqlc.narg(request_id), sqlc.narg(trace_context)
FROM changed;

-- Claims a batch of orders unpaid for longer than `timeout_ms`, by the database's clock (the one
-- updated_at was written with; an application host's clock may drift). SKIP LOCKED lets several
-- LOMS replicas run the expiry loop at once: each order is claimed by exactly one of them.
-- Parked orders (expiry_parked_orders) are left to an operator.
-- name: ClaimExpiredOrders :many
SELECT id, user_id, status
FROM orders
WHERE status = 'awaiting payment'
  AND updated_at < now() - sqlc.arg(timeout_ms)::bigint * interval '1 millisecond'
  AND NOT EXISTS (SELECT 1 FROM expiry_parked_orders p WHERE p.order_id = orders.id)
ORDER BY updated_at
LIMIT sqlc.arg(batch_size)::integer
FOR UPDATE SKIP LOCKED;
