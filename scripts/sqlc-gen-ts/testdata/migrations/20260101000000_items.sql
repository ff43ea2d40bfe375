-- migrate:up
-- One table with a column of every type the plugin maps, nullable and not.
CREATE TYPE item_kind AS ENUM ('book', 'shoe');

CREATE TABLE items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         bigint           NOT NULL UNIQUE,
    name        text             NOT NULL,
    note        varchar(200),
    kind        item_kind        NOT NULL,
    stock       integer          NOT NULL DEFAULT 0,
    rating      smallint,
    weight      double precision,
    price       numeric(12, 2)   NOT NULL,
    active      boolean          NOT NULL DEFAULT true,
    attrs       jsonb,
    tags        text[]           NOT NULL DEFAULT '{}',
    related     bigint[],
    photo       bytea,
    external_id uuid,
    released_on date,
    created_at  timestamptz      NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE items;
DROP TYPE item_kind;
