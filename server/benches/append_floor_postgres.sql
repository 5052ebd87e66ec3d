-- The floor under the PostgreSQL append bench (`server/benches/append.rs`, workload
-- `create`): one group of :n one-event appends, with the statements the store's writer
-- sends (`server/src/store/postgres/`), from a client that does nothing else. Each run of
-- this script is one group: events/s = tps * n.
--
--   pgbench -n -c 1 -T 8 -D n=256 -f server/benches/append_floor_postgres.sql <migrated database>
--
-- Ids are time-ordered, like the store's UUIDv7, so that indexes grow at their end. They
-- are made before the transaction, as the store encodes appends in its callers' tasks.

SELECT array_agg((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
        || '7' || substr(md5(random()::text || i), 1, 19))::uuid)::text AS ids
FROM generate_series(1, :n) AS i \gset
BEGIN;
SELECT position AS head FROM log_head FOR UPDATE \gset
SELECT s.stream_id, last.version, last.position
FROM UNNEST(ARRAY(SELECT 'todo-' || id FROM UNNEST(':ids'::uuid[]) AS id)) AS s (stream_id)
CROSS JOIN LATERAL (SELECT e.version, e.position FROM events AS e
    WHERE e.stream_id = s.stream_id ORDER BY e.version DESC LIMIT 1) AS last;
SELECT command_id FROM commands WHERE command_id = ANY(':ids'::uuid[]);
WITH new_commands AS (
    INSERT INTO commands (command_id, stream_id, first_position, last_position, first_version,
        last_version)
    SELECT id, 'todo-' || id, :head + i, :head + i, 1, 1
    FROM UNNEST(':ids'::uuid[]) WITH ORDINALITY AS g (id, i)),
new_events AS (
    INSERT INTO events (position, stream_id, version, event_type, schema_version, payload,
        actor, command_id, recorded_at)
    SELECT :head + i, 'todo-' || id, 1, 'TodoUpdated', 1,
        '{"title": "Todo at version 0", "description": "A line of text, about as long as a real description would be.", "notes": ""}'::text::jsonb,
        id, id, now()
    FROM UNNEST(':ids'::uuid[]) WITH ORDINALITY AS g (id, i))
UPDATE log_head SET position = :head + :n;
SELECT pg_notify('tidings_log', (:head + :n)::text);
COMMIT;
