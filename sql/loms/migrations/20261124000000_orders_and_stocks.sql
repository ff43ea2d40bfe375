-- migrate:up
-- available = total_count - reserved, clamped at 0 by readers: the seed holds a row with more
-- reserved than total, so no CHECK ties the two together.
CREATE TABLE stocks (
    sku         bigint PRIMARY KEY CHECK (sku > 0),
    total_count bigint NOT NULL CHECK (total_count >= 0),
    reserved    bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);

CREATE TABLE orders (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL CHECK (user_id > 0),
    status     text        NOT NULL
        CHECK (status IN ('new', 'awaiting payment', 'failed', 'payed', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- When the status last changed: the expiry loop measures "unpaid for 10 minutes" from here.
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The expiry loop scans only unpaid orders, oldest first.
CREATE INDEX orders_awaiting_payment_idx ON orders (updated_at) WHERE status = 'awaiting payment';

-- Items are stored merged per SKU (the use case sums duplicates before inserting).
CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    sku      bigint NOT NULL CHECK (sku > 0),
    count    bigint NOT NULL CHECK (count > 0),
    PRIMARY KEY (order_id, sku)
);

-- Data seeds that must run exactly once per database (see ClaimSeed).
CREATE TABLE seed_runs (
    name       text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE seed_runs;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE stocks;
