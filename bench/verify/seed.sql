-- Bench-only: add :groups groups of 100 card transactions, starting at group :first, with the
-- batches, deposits and ledger journals that make `homerun verify` hold over them, all by
-- set-based SQL (PostgreSQL). Run by bench/verify/scale.sh:
--
--   psql "$DB" -v ON_ERROR_STOP=1 -v first=0 -v groups=5000 -f bench/verify/seed.sql
--
-- Row n (from 0) is transaction n + 1, of group g = n / 100, merchant g % 200, business day
-- g / 200 from 2025-01-01. In each group, by k = n % 100:
--   k 0..89   settled sales in the group's batch (k 0 partly refunded: 1.00)
--   k 90..94  declined sales               k 95..97  captured sales, not yet batched
--   k 98      the refund of k 0, captured  k 99      an authorization, never captured
-- The batch (90 sales, a processing fee of 0.10 a sale) is funded the next day by a deposit of
-- sales - fees; the ledger has the batch's sale and fee journals (their merchant_payable lines
-- swept by the deposit) and the deposit's journal. So per merchant
--   captured - refunded - fees = deposited + pending settlement (95..97 less the refunds),
-- every journal balances, and every batch and deposit is the sum of its parts.
-- The bench writes these tables directly (like `homerun seed`), which no Homerun code does.

BEGIN;

INSERT INTO merchants (mid, name, currency, surcharge_enabled, surcharge_rate_bps,
                       batch_cutoff, timezone, processor, processing_rate_bps,
                       processing_fixed_fee, funding_delay_days, chargeback_fee, monthly_fee,
                       status, created_at, updated_at)
SELECT 'VB' || lpad(m::text, 10, '0'), 'Verify bench ' || m, 'USD', false, 0, '22:00', 'UTC',
       'simulator', 0, 10, 1, 1500, 0, 'active', now(), now()
FROM generate_series(0, 199) AS m
ON CONFLICT (mid) DO NOTHING;

CREATE TEMP TABLE bench_merchants ON COMMIT DROP AS
SELECT (substr(mid, 3))::int AS m, id FROM merchants WHERE mid LIKE 'VB%';

INSERT INTO transactions (
    id, merchant_id, kind, state, currency, amount_form, amount_requested, amount_authorized,
    amount_captured, amount_refunded, fee_rate_bps, fee_amount, fee_refunded, result,
    resp_code, resp_text, resp_proc, auth_code, avs_resp, cvv_resp, card_brand, comm_card,
    last_four, order_id, vaulted, holder, custom, extra, batch_id, settled_at, parent_id,
    payment_method, created_at, updated_at)
SELECT n + 1, bm.id,
       CASE WHEN k = 98 THEN 'refund' WHEN k = 99 THEN 'auth' ELSE 'sale' END,
       CASE WHEN k = 0 THEN 'partially_refunded' WHEN k < 90 THEN 'settled'
            WHEN k < 95 THEN 'declined' WHEN k < 99 THEN 'captured' ELSE 'authorized' END,
       'USD', 'dollars', amount,
       CASE WHEN k BETWEEN 90 AND 94 THEN 0 ELSE amount END,
       CASE WHEN k BETWEEN 90 AND 94 OR k = 99 THEN 0 ELSE amount END,
       CASE WHEN k = 0 THEN 100 ELSE 0 END,
       0, 0, 0,
       CASE WHEN k BETWEEN 90 AND 94 THEN 'C' ELSE 'A' END,
       CASE WHEN k BETWEEN 90 AND 94 THEN '05' ELSE '00' END,
       CASE WHEN k BETWEEN 90 AND 94 THEN 'DECLINE' ELSE 'APPROVAL' END,
       'SIM', CASE WHEN k BETWEEN 90 AND 94 THEN NULL ELSE 'A' || (n % 100000) END,
       'Y', 'M', 'VISA', false, lpad((n % 10000)::text, 4, '0'), 'VB-' || n, false,
       '{}', '{}', '{}',
       CASE WHEN k < 90 THEN 'VB' || g END,
       CASE WHEN k < 90 THEN day + interval '1 day 3 hours' END,
       CASE WHEN k = 98 THEN n - 97 END,
       'card', day + interval '14 hours' + k * interval '1 minute',
       day + interval '14 hours' + k * interval '1 minute'
FROM generate_series(:first::bigint * 100, (:first::bigint + :groups) * 100 - 1) AS n
CROSS JOIN LATERAL (
    SELECT n / 100 AS g, n % 100 AS k,
           CASE WHEN n % 100 = 98 THEN 100 ELSE 500 + (n * 7919) % 20000 END AS amount,
           timestamptz '2025-01-01 00:00+00' + (n / 100 / 200) * interval '1 day' AS day
) AS r
JOIN bench_merchants bm ON bm.m = r.g % 200;

WITH sold AS (
    SELECT batch_id, min(merchant_id) AS merchant_id, min(created_at) AS at,
           count(*) AS sales, sum(amount_captured + fee_amount) AS amount
    FROM transactions
    WHERE id BETWEEN :first::bigint * 100 + 1 AND (:first::bigint + :groups) * 100
      AND batch_id IS NOT NULL
    GROUP BY batch_id
), batch AS (
    INSERT INTO batches (batch_id, merchant_id, currency, business_date, closed_at,
                         transaction_count, sale_count, sale_amount, refund_count,
                         refund_amount, net_amount, processing_fee, deposit_date,
                         funding_master_id, funded_at)
    SELECT batch_id, merchant_id, 'USD', (at AT TIME ZONE 'UTC')::date,
           date_trunc('day', at) + interval '22 hours', sales, sales, amount, 0, 0, amount,
           sales * 10, (at AT TIME ZONE 'UTC')::date + 1, 'VF' || substr(batch_id, 3),
           date_trunc('day', at) + interval '1 day 3 hours'
    FROM sold
    RETURNING batch_id, merchant_id, sale_count, sale_amount, processing_fee, deposit_date,
              funding_master_id, funded_at, closed_at
), deposit AS (
    INSERT INTO deposits (funding_master_id, merchant_id, currency, batch_id, deposit_date,
                          funded_at, amount, sales_count, sales_amount, refunds_count,
                          refunds_amount, fees_amount, chargebacks_amount, reversals_amount,
                          adjustments_amount)
    SELECT funding_master_id, merchant_id, 'USD', batch_id, deposit_date, funded_at,
           sale_amount - processing_fee, sale_count, sale_amount, 0, 0, processing_fee, 0, 0, 0
    FROM batch
    RETURNING id, merchant_id, batch_id, funding_master_id, amount, sales_amount, fees_amount,
              deposit_date, funded_at
)
INSERT INTO ledger_entries (merchant_id, currency, journal, kind, account, amount, posted_at,
                            available_on, batch_id, deposit_id)
SELECT d.merchant_id, 'USD', line.journal, line.kind, line.account, line.amount, line.at,
       line.available_on, d.batch_id, line.deposit_id
FROM deposit d
CROSS JOIN LATERAL (VALUES
    ('batch:' || d.batch_id || ':sale', 'sale', 'card_clearing', d.sales_amount,
     d.funded_at - interval '1 day', NULL::date, NULL::bigint),
    ('batch:' || d.batch_id || ':sale', 'sale', 'merchant_payable', -d.sales_amount,
     d.funded_at - interval '1 day', d.deposit_date, d.id),
    ('batch:' || d.batch_id || ':fee', 'fee', 'merchant_payable', d.fees_amount,
     d.funded_at - interval '1 day', d.deposit_date, d.id),
    ('batch:' || d.batch_id || ':fee', 'fee', 'processor_income', -d.fees_amount,
     d.funded_at - interval '1 day', NULL::date, NULL::bigint),
    ('deposit:' || d.funding_master_id, 'deposit', 'merchant_payable', d.amount,
     d.funded_at, NULL::date, d.id),
    ('deposit:' || d.funding_master_id, 'deposit', 'bank', -d.amount,
     d.funded_at, NULL::date, NULL::bigint)
) AS line (journal, kind, account, amount, at, available_on, deposit_id);

SELECT setval('transactions_id_seq', (SELECT max(id) FROM transactions));

COMMIT;
