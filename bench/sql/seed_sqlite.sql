-- Seed :rows settled-looking sales (and their outbox events) for the bench merchant,
-- streamed inside SQLite by a recursive CTE: no row is built in client memory.
-- Run by bench/sqlite_exec.py (rows:int=N mid=MID extra_cols:raw=... extra_vals:raw=...).
BEGIN IMMEDIATE;
INSERT INTO transactions (
    merchant_id, kind, state, currency, amount_form,
    amount_requested, amount_authorized, amount_captured, amount_refunded,
    fee_rate_bps, fee_amount, fee_refunded,
    result, resp_code, resp_text, resp_proc, auth_code, avs_resp, cvv_resp, processor_ref,
    card_brand, card_funding, comm_card, bin, last_four, account_token, expiration,
    order_id, holder, custom, extra, created_at, updated_at
)
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :rows)
SELECT
    m.id, 'sale', 'captured', 'USD', 'cents',
    100 + n % 10000, 100 + n % 10000, 100 + n % 10000, 0,
    0, 0, 0,
    'A', '00', 'Approval', 'SIM', upper(substr(hex(randomblob(3)), 1, 6)), '', 'P', 'SEED' || n,
    'VISA', 'CREDIT', 0, '411111', '1111', '9873064236711111', '1230',
    'SEED' || hex(randomblob(7)), '{}', '{}', '{}',
    strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (n % 2592000) || ' seconds') || '.000000',
    strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (n % 2592000) || ' seconds') || '.000000'
FROM g
CROSS JOIN (SELECT id FROM merchants WHERE mid = :mid) AS m;

-- :extra_cols / :extra_vals: ', dispatched_at' / ', t.created_at' where the schema has it, so
-- that the server's worker does not take a million seeded events for new ones.
INSERT INTO outbox_events (merchant_id, event_type, source_id, payload, occurred_at :extra_cols)
SELECT
    t.merchant_id, 'transaction.entered', CAST(t.id AS TEXT),
    json_object(
        'trans_id', CAST(t.id AS TEXT), 'mid', :mid, 'order_id', t.order_id,
        'invoice_id', NULL, 'trans_type', 'sale', 'state', 'captured', 'amount', '10.00',
        'fee_amount', '0.00', 'currency', 'USD', 'result', 'A', 'resp_code', '00',
        'resp_text', 'Approval', 'card_brand', 'VISA', 'card_number', '**** **** **** 1111'
    ),
    t.created_at :extra_vals
FROM transactions AS t
WHERE t.processor_ref LIKE 'SEED%';
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
