-- migrate:up
-- Poison messages can be replayed (notifications/replay-poison.ts) once the decoder, the schema
-- or the stored value is fixed; a replayed row is kept, marked, as the record of what happened.
ALTER TABLE poison_messages ADD COLUMN replayed_at timestamptz;

CREATE INDEX poison_messages_unreplayed_idx ON poison_messages (id) WHERE replayed_at IS NULL;

-- migrate:down
DROP INDEX poison_messages_unreplayed_idx;
ALTER TABLE poison_messages DROP COLUMN replayed_at;
