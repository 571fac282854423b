-- Seed :rows settled-looking sales (and their outbox events) for the bench merchant,
-- streamed inside PostgreSQL: no row is built in client memory.
-- psql -v rows=1000000 -v mid="'123456789012'" -v extra_cols= -v extra_vals= -f seed_postgresql.sql
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO transactions (
    merchant_id, kind, state, currency, amount_form,
    amount_requested, amount_authorized, amount_captured, amount_refunded,
    fee_rate_bps, fee_amount, fee_refunded,
    result, resp_code, resp_text, resp_proc, auth_code, avs_resp, cvv_resp, processor_ref,
    card_brand, card_funding, comm_card, bin, last_four, account_token, expiration,
    order_id, holder, custom, extra, created_at, updated_at
)
SELECT
    m.id, 'sale', 'captured', 'USD', 'cents',
    100 + g % 10000, 100 + g % 10000, 100 + g % 10000, 0,
    0, 0, 0,
    'A', '00', 'Approval', 'SIM', upper(substr(md5(g::text), 1, 6)), '', 'P', 'SEED' || g,
    'VISA', 'CREDIT', false, '411111', '1111', '9873064236711111', '1230',
    'SEED' || upper(substr(md5(g::text), 1, 14)), '{}'::jsonb, '{}'::jsonb, '{}'::jsonb,
    now() - make_interval(secs => g % 2592000), now() - make_interval(secs => g % 2592000)
FROM generate_series(1, :rows) AS g
CROSS JOIN (SELECT id FROM merchants WHERE mid = :mid) AS m;

-- :extra_cols / :extra_vals: ', dispatched_at' / ', t.created_at' where the schema has it, so
-- that the server's worker does not take a million seeded events for new ones.
INSERT INTO outbox_events (merchant_id, event_type, source_id, payload, occurred_at :extra_cols)
SELECT
    t.merchant_id, 'transaction.entered', t.id::text,
    jsonb_build_object(
        'trans_id', t.id::text, 'mid', :mid, 'order_id', t.order_id, 'invoice_id', NULL,
        'trans_type', 'sale', 'state', 'captured', 'amount', '10.00', 'fee_amount', '0.00',
        'currency', 'USD', 'result', 'A', 'resp_code', '00', 'resp_text', 'Approval',
        'card_brand', 'VISA', 'card_number', '**** **** **** 1111'
    ),
    t.created_at :extra_vals
FROM transactions AS t
WHERE t.processor_ref LIKE 'SEED%';
COMMIT;
-- Vacuum now (it also analyzes), so that autovacuum does not run during the measurement.
VACUUM (ANALYZE) transactions;
VACUUM (ANALYZE) outbox_events;
CHECKPOINT;
