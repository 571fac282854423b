-- Partition Homerun's high-volume tables by month on PostgreSQL (docs/operations.md,
-- "Partitioning by time"):
--
--   transactions        by created_at      ledger_entries      by posted_at
--   outbox_events       by occurred_at     webhook_deliveries  by occurred_at
--
-- A table not yet partitioned is converted: renamed aside, re-created as
-- PARTITION BY RANGE (<time>) with the same columns, defaults, checks and sequence, one
-- partition per calendar month (UTC) from its oldest row's month on, its rows copied, the old
-- table dropped, and its indexes and constraints made again; a primary key or unique
-- constraint gets the time column added, as PostgreSQL requires of a partitioned table. A
-- table already partitioned only gets its months ahead. Either way every table ends with
-- partitions up to `homerun.months_ahead` (3 unless set) months past the later of now and its
-- newest row, and a DEFAULT partition that catches a row outside them (it should stay empty:
-- run this again every month, from cron, to keep the months ahead).
--
--   homerun migrate                                # the schema must be at head first
--   psql "$DATABASE" -v ON_ERROR_STOP=1 -f docs/partition-by-month.sql
--   PGOPTIONS='-c homerun.months_ahead=12' psql "$DATABASE" -v ON_ERROR_STOP=1 -f ...
--
-- One transaction: it converts everything or nothing. Converting copies every row under an
-- ACCESS EXCLUSIVE lock, so stop Homerun's servers and workers first and start them after
-- (their cached statements name the old tables); budget about a minute per few million rows.

BEGIN;
SET LOCAL statement_timeout = 0;
SET LOCAL lock_timeout = 0;

-- Partitions of `tbl` for each month from `first` to `last` (UTC), made if missing.
CREATE FUNCTION pg_temp.homerun_months(tbl text, first timestamp, last timestamp, opts text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    month timestamp := date_trunc('month', first);
BEGIN
    WHILE month <= last LOOP
        IF to_regclass(format('%I', tbl || '_' || to_char(month, 'YYYY_MM'))) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L) %s',
                tbl || '_' || to_char(month, 'YYYY_MM'), tbl,
                (month AT TIME ZONE 'UTC'), ((month + interval '1 month') AT TIME ZONE 'UTC'),
                opts
            );
        END IF;
        month := month + interval '1 month';
    END LOOP;
END $$;

CREATE FUNCTION pg_temp.homerun_partition(tbl text, col text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    ahead int := coalesce(nullif(current_setting('homerun.months_ahead', true), ''), '3')::int;
    rel regclass := to_regclass(format('%I', tbl));
    aside text := tbl || '_unpartitioned';
    opts text;
    oldest timestamp;
    newest timestamp;
    remade text[];
    seq record;
    statement text;
    referred text;
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'no table %: run homerun migrate first', tbl;
    END IF;
    EXECUTE format('SELECT min(%1$I) AT TIME ZONE ''UTC'', max(%1$I) AT TIME ZONE ''UTC'' FROM %2$I',
                   col, tbl) INTO oldest, newest;
    newest := greatest(coalesce(newest, now() AT TIME ZONE 'UTC'), now() AT TIME ZONE 'UTC');
    newest := newest + make_interval(months => ahead);

    IF (SELECT relkind FROM pg_class WHERE oid = rel) = 'p' THEN
        -- Already partitioned: the months ahead, with the storage options of its partitions.
        SELECT coalesce('WITH (' || array_to_string(c.reloptions, ', ') || ')', '') INTO opts
        FROM pg_class c WHERE c.oid = to_regclass(format('%I', tbl || '_default'));
        PERFORM pg_temp.homerun_months(tbl, now() AT TIME ZONE 'UTC', newest, coalesce(opts, ''));
        RETURN tbl || ': partitions ahead to ' || to_char(newest, 'YYYY-MM');
    END IF;

    SELECT string_agg(format('%s.%s', conrelid::regclass, conname), ', ') INTO referred
    FROM pg_constraint WHERE confrelid = rel AND contype = 'f';
    IF referred IS NOT NULL THEN
        RAISE EXCEPTION '% is referred to by foreign keys (%): run homerun migrate first',
            tbl, referred;
    END IF;
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', tbl);

    -- What to make again on the partitioned table, read before the old one is renamed (so
    -- the statements name the table by its own name). A primary key or unique constraint
    -- gets the partition key added; foreign keys to other tables and plain indexes stay as
    -- they are.
    SELECT array_agg(format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, c.conname,
               CASE WHEN c.contype IN ('p', 'u') AND NOT EXISTS (
                        SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = rel AND a.attnum = ANY (c.conkey) AND a.attname = col)
                    THEN regexp_replace(pg_get_constraintdef(c.oid), '\)$', ', ' || quote_ident(col) || ')')
                    ELSE pg_get_constraintdef(c.oid) END)
               ORDER BY c.contype DESC, c.conname)
    INTO remade
    FROM pg_constraint c WHERE c.conrelid = rel AND c.contype IN ('p', 'u', 'f');
    SELECT remade || array_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid)
    INTO remade
    FROM pg_index i
    WHERE i.indrelid = rel AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c WHERE c.conrelid = rel AND c.conindid = i.indexrelid);
    SELECT coalesce('WITH (' || array_to_string(reloptions, ', ') || ')', '') INTO opts
    FROM pg_class WHERE oid = rel;

    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, aside);
    EXECUTE format(
        'CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE'
        ' INCLUDING COMMENTS) PARTITION BY RANGE (%I)', tbl, aside, col);
    PERFORM pg_temp.homerun_months(tbl, coalesce(oldest, now() AT TIME ZONE 'UTC'), newest, opts);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT %s', tbl || '_default', tbl, opts);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, aside);
    -- The id sequence goes on with the new table (dropping the old one would drop it).
    FOR seq IN
        SELECT s.oid::regclass AS name, a.attname
        FROM pg_depend d
        JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.refobjid = to_regclass(format('%I', aside)) AND d.deptype = 'a'
    LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNED BY %I.%I', seq.name, tbl, seq.attname);
    END LOOP;
    EXECUTE format('DROP TABLE %I', aside);
    FOREACH statement IN ARRAY remade LOOP
        EXECUTE statement;
    END LOOP;
    EXECUTE format('ANALYZE %I', tbl);
    RETURN tbl || ': partitioned by month of ' || col || ', partitions to '
        || to_char(newest, 'YYYY-MM');
END $$;

SELECT pg_temp.homerun_partition('transactions', 'created_at');
SELECT pg_temp.homerun_partition('outbox_events', 'occurred_at');
SELECT pg_temp.homerun_partition('webhook_deliveries', 'occurred_at');
SELECT pg_temp.homerun_partition('ledger_entries', 'posted_at');

COMMIT;
