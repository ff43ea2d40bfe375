-- migrate:up
-- One checkout key per user: it names "this cart's checkout" to LOMS, which keeps keys unique, so
-- concurrent or retried checkouts of one cart make one order. A successful checkout replaces the
-- key in the same transaction that removes the ordered lines; the next checkout is a new order.
CREATE TABLE cart_checkout_keys (
    user_id      bigint PRIMARY KEY CHECK (user_id > 0),
    checkout_key text   NOT NULL
);

-- migrate:down
DROP TABLE cart_checkout_keys;
