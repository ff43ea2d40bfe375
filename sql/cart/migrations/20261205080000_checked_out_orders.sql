-- migrate:up
-- The orders whose lines a checkout has taken out of the cart, so that each order's lines are
-- removed once however many requests learn of it (concurrent checkouts, retries that LOMS answers
-- with an order another request already cleaned up). The checkout key cannot guard this alone:
-- two orders can come from one key's lifetime (the key spent on a changed cart), and each needs
-- its removal. A row is needed only while a request that read the old key can still be running,
-- so rows older than a day are pruned as the user checks out again.
CREATE TABLE cart_checked_out_orders (
    user_id        bigint      NOT NULL CHECK (user_id > 0),
    order_id       bigint      NOT NULL CHECK (order_id > 0),
    checked_out_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, order_id)
);

-- migrate:down
DROP TABLE cart_checked_out_orders;
