-- Empty the tables a charge writes to (keeps merchants, credentials, card tokens, keys).
\set ON_ERROR_STOP on
-- CASCADE: tables added later that point at transactions (e.g. chargebacks) are emptied too.
TRUNCATE outbox_events, transactions RESTART IDENTITY CASCADE;
CHECKPOINT;
