-- Empty the tables a charge writes to (keeps merchants, credentials, card tokens, keys).
BEGIN IMMEDIATE;
DELETE FROM outbox_events;
DELETE FROM transactions;
COMMIT;
VACUUM;
PRAGMA wal_checkpoint(TRUNCATE);
