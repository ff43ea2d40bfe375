-- migrate:up
-- No statement on this database runs longer than 10 s, on any connection: the services' pools
-- (through pgbouncer in transaction pooling, where a per-connection SET would stay on a server
-- connection that other clients then get, and where the `options` startup parameter is
-- ignored), the relay's direct session, scripts. Set on the database, so every new server
-- connection starts with it. It is the backstop for what no request deadline cancels (a
-- scrape, a background loop, a client that vanished); 10 s is as long as cart waits for any
-- call. A migration that needs longer says `SET LOCAL statement_timeout = 0` in its transaction.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET statement_timeout = %L', current_database(), '10s');
END
$$;

-- migrate:down
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET statement_timeout', current_database());
END
$$;
