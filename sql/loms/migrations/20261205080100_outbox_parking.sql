-- migrate:up
-- Parking: an outbox row the relay cannot encode (it breaks loms.v1.OrderEvent's rules, e.g. a
-- moment out of range) is set aside with the reason instead of being retried ahead of every later
-- event. The relay also holds back the later events of that same order — they stay pending, not
-- parked — so that an order's events still go out in order once the row is fixed and unparked
-- (docs/operations.md).
ALTER TABLE order_events_outbox
    ADD COLUMN parked_at   timestamptz,
    ADD COLUMN park_reason text;

-- An order id the relay could not even read as a JavaScript number would stop it at the claim,
-- before any parking: refused at insert (the order's own transaction fails). NOT VALID: rows
-- already there are not rechecked.
ALTER TABLE order_events_outbox
    ADD CONSTRAINT order_events_outbox_order_id_range
    CHECK (order_id > 0 AND order_id <= 9007199254740991) NOT VALID;

-- The relay's claim skips orders with a parked event: this index keeps that check free.
CREATE INDEX order_events_outbox_parked_idx ON order_events_outbox (order_id) WHERE parked_at IS NOT NULL;

-- migrate:down
DROP INDEX order_events_outbox_parked_idx;
ALTER TABLE order_events_outbox DROP CONSTRAINT order_events_outbox_order_id_range;
ALTER TABLE order_events_outbox DROP COLUMN park_reason, DROP COLUMN parked_at;
