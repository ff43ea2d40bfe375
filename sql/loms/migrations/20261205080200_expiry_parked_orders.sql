-- migrate:up
-- Orders the expiry loop could not cancel because their data breaks an invariant (e.g. the stock
-- row no longer covers the order's reservation). The loop skips them instead of retrying the
-- same failing batch forever; the other expired orders are cancelled. An operator repairs the
-- data and deletes the row to hand the order back to expiry (docs/operations.md).
CREATE TABLE expiry_parked_orders (
    order_id  bigint      PRIMARY KEY REFERENCES orders (id),
    reason    text        NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE expiry_parked_orders;
