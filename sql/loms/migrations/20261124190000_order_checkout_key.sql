-- migrate:up
-- The caller's name for one checkout (cart's checkout key): an order is created at most once per
-- key, so retried and concurrent checkouts of one cart return the same order. NULL for orders
-- created without a key (many NULLs do not conflict).
ALTER TABLE orders ADD COLUMN checkout_key text UNIQUE;

-- migrate:down
ALTER TABLE orders DROP COLUMN checkout_key;
