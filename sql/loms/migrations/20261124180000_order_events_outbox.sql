-- migrate:up
-- The transactional outbox: every order status change inserts its event here in the same
-- transaction as the change, so an event exists if and only if the change committed. The relay
-- (loms/relay.ts) publishes pending rows in id order and marks them sent once Kafka acknowledged
-- them; sent rows are deleted after a retention.
CREATE TABLE order_events_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    order_id        bigint      NOT NULL,
    status          text        NOT NULL
        CHECK (status IN ('new', 'awaiting payment', 'failed', 'payed', 'cancelled')),
    moment          timestamptz NOT NULL,
    -- Request metadata carried to Kafka headers.
    request_id      text,
    -- W3C traceparent of the request that changed the status, once tracing exists.
    trace_context   text,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz
);

-- The relay reads pending rows oldest first; the cleanup reads sent rows by age.
CREATE INDEX order_events_outbox_pending_idx ON order_events_outbox (id) WHERE sent_at IS NULL;
CREATE INDEX order_events_outbox_sent_idx ON order_events_outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Wakes the relay (LISTEN order_events_outbox) when new events commit: NOTIFY is delivered at
-- commit and only then, and identical notifications of one transaction fold into one.
CREATE FUNCTION notify_order_events_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('order_events_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER order_events_outbox_notify
AFTER INSERT ON order_events_outbox
FOR EACH STATEMENT EXECUTE FUNCTION notify_order_events_outbox();

-- migrate:down
DROP TRIGGER order_events_outbox_notify ON order_events_outbox;
DROP FUNCTION notify_order_events_outbox();
DROP TABLE order_events_outbox;
