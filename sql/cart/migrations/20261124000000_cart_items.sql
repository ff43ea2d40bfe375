-- migrate:up
-- One row per (user, sku); a cart is the set of a user's rows. Counts are always positive:
-- removing an item deletes its row.
CREATE TABLE cart_items (
    user_id  bigint      NOT NULL CHECK (user_id > 0),
    sku      bigint      NOT NULL CHECK (sku > 0),
    count    integer     NOT NULL CHECK (count > 0),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, sku)
);

-- migrate:down
DROP TABLE cart_items;
