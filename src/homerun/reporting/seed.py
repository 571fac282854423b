"""`homerun seed`: fill a database with realistic reporting data, streamed in bounded batches.

The shape of the data:
- `merchants` merchants whose sizes follow a Zipf-like law (a few large, many small), each
  with transactions on every one of `days` days up to the clock's today, busier by day than by
  night and on weekdays than on weekends;
- sales on the four brands (Visa most), ~5% declines with issuer codes, some authorizations
  that were never captured (expired after 7 days), a few $0 verifications, AVS/CVV results,
  custom fields, order and invoice ids;
- every day before today closed into one batch per merchant at its cut-off, funded the next
  business day by a deposit net of processing fees (2.5% + $0.10 a sale), of refunds, of
  chargebacks and of adjustments;
- ~2% of sales refunded (in whole or in part) 1-10 days later, ~0.3% charged back 5-40 days
  after settlement with a network reason code and a $15 chargeback fee, and a $9.95 monthly
  fee on the last day of each month.

Nothing is held whole: each day's rows are written as they are made, in batches of
`batch_size` rows, each batch in its own transaction. The ledger is not written: this is data
for the Reporting API and its benchmark, not a replay of the money flow.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from homerun.kit.cards import BRAND_IDS
from homerun.kit.db.engine import Database
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.reporting import bulk
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit

Progress = Callable[[int], None]

_TZ = ZoneInfo("America/New_York")
_CARDS = (  # brand, weight, BIN
    ("VISA", 55, "411111"),
    ("MASTERCARD", 28, "545454"),
    ("AMEX", 10, "371449"),
    ("DISCOVER", 7, "601111"),
)
_DECLINES = (("05", "Do not honor"), ("51", "Insufficient funds"), ("54", "Expired card"))
_AVS = ("Y", "Y", "Y", "Y", "Z", "A", "N")
_CVV = ("M", "M", "M", "M", "M", "N", "P")
_REASONS = (
    ("10.4", "Other Fraud - Card Absent Environment"),
    ("13.1", "Merchandise/Services Not Received"),
    ("13.3", "Not as Described or Defective Merchandise"),
    ("4837", "No Cardholder Authorization"),
    ("4853", "Cardholder Dispute"),
    ("F29", "Card Not Present"),
)
_FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Ines", "Jon", "Kai", "Lena", "Mo")
_LAST = ("Lovelace", "Nakamura", "Okafor", "Silva", "Novak", "Haddad", "Kowalski", "Reyes")
_SHOPS = ("Coffee", "Books", "Garage", "Florist", "Bakery", "Outfitters", "Pharmacy", "Studio")
_TXN = cast(Table, Transaction.__table__)
_BATCH = cast(Table, Batch.__table__)
_DEPOSIT = cast(Table, Deposit.__table__)
_CHARGEBACK = cast(Table, Chargeback.__table__)
_ADJUSTMENT = cast(Table, Adjustment.__table__)
_MERCHANT = cast(Table, Merchant.__table__)
_CARD_WEIGHTS = [weight for _, weight, _ in _CARDS]
FEE_BPS = 250
FEE_FIXED = 10
CHARGEBACK_FEE = 1500
MONTHLY_FEE = 995


@dataclass(frozen=True)
class SeedPlan:
    transactions: int = 1_000_000
    merchants: int = 200
    days: int = 365
    batch_size: int = 5_000
    seed: int = 7


@dataclass
class SeedSummary:
    merchants: list[str] = field(default_factory=list)
    transactions: int = 0
    refunds: int = 0
    declines: int = 0
    batches: int = 0
    deposits: int = 0
    chargebacks: int = 0
    adjustments: int = 0
    first_day: date | None = None
    last_day: date | None = None


@dataclass
class _Pending:
    """Work that falls on a later day: refunds, chargebacks (per merchant, per day)."""

    refunds: dict[date, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    chargebacks: dict[date, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


def _fee(gross: int) -> int:
    percent = (Decimal(gross) * FEE_BPS / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(percent) + FEE_FIXED


def _next_business_day(day: date) -> date:
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


def _cutoff_utc(day: date) -> datetime:
    return datetime.combine(day, time(22, 0), _TZ).astimezone(UTC)


def _weights(count: int) -> list[float]:
    raw = [1 / (rank + 1) ** 0.8 for rank in range(count)]
    total = sum(raw)
    return [w / total for w in raw]


class _Writer:
    """Buffers rows per table and writes them in transactions of at most batch_size rows."""

    ORDER: tuple[Table, ...] = (
        _TXN,
        _BATCH,
        _CHARGEBACK,
        _DEPOSIT,
        _ADJUSTMENT,
    )

    def __init__(self, db: Database, batch_size: int, progress: Progress) -> None:
        self.db = db
        self.batch_size = batch_size
        self.progress = progress
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.refund_updates: list[dict[str, Any]] = []
        self.pending_ids: dict[str, list[int]] = defaultdict(list)
        self.highest: dict[str, int] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)

    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values()) + len(self.refund_updates)

    async def ids(self, table: Table, count: int) -> list[int]:
        """Ids reserved ahead in blocks, so rows can point at each other before they exist."""
        pool = self.pending_ids[table.name]
        if len(pool) < count:
            above = self.highest.get(table.name, 0)
            async with self.db.engine.begin() as connection:
                block = await bulk.reserve_ids(
                    connection, table, max(count, self.batch_size), above
                )
            pool.extend(block)
            self.highest[table.name] = block[-1]
        taken, self.pending_ids[table.name] = pool[:count], pool[count:]
        return taken

    async def flush_if_full(self) -> None:
        if self.size() >= self.batch_size:
            await self.flush()

    async def flush(self) -> None:
        async with self.db.engine.begin() as connection:
            for table in self.ORDER:
                rows = self.rows.pop(table.name, [])
                await bulk.insert_rows(connection, table, rows)
                if table.name == "transactions":
                    self.progress(sum(1 for r in rows if r["kind"] != "refund"))
            await bulk.update_rows(
                connection,
                _TXN,
                self.refund_updates,
                ("amount_refunded", "fee_refunded", "state"),
            )
        self.refund_updates = []


class _Generator:
    def __init__(self, plan: SeedPlan, today: date, writer: _Writer) -> None:
        self.plan = plan
        self.today = today
        self.writer = writer
        self.rand = random.Random(plan.seed)
        self.summary = SeedSummary()
        self.pending: dict[int, _Pending] = defaultdict(_Pending)
        self.month_fees: set[tuple[int, str]] = set()
        self.made = 0  # rows written, refunds included
        self.sales = 0  # rows written, refunds excluded: what the plan counts

    # ----------------------------------------------------------------------- merchants

    async def merchants(self, now: datetime) -> list[tuple[int, str]]:
        async with self.writer.db.engine.begin() as connection:
            taken = await bulk.existing_mids(connection)
            ids = await bulk.reserve_ids(
                connection,
                _MERCHANT,
                self.plan.merchants,
            )
            rows = []
            out = []
            for n, pk in enumerate(ids):
                mid = str(self.rand.randrange(10**11, 10**12))
                while mid in taken:
                    mid = str(self.rand.randrange(10**11, 10**12))
                taken.add(mid)
                name = f"{self.rand.choice(_LAST)} {self.rand.choice(_SHOPS)} #{n + 1}"
                rows.append(
                    {
                        "id": pk,
                        "mid": mid,
                        "name": name,
                        "currency": "USD",
                        "surcharge_enabled": False,
                        "surcharge_rate_bps": 0,
                        "batch_cutoff": "22:00",
                        "timezone": "America/New_York",
                        "processor": "simulator",
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                out.append((pk, mid))
            await bulk.insert_rows(
                connection,
                _MERCHANT,
                rows,
            )
        self.summary.merchants = [mid for _, mid in out]
        return out

    # ----------------------------------------------------------------------- one day

    def _moment(self, day: date) -> datetime:
        # Busier in the afternoon: a triangle peaking at 14:00 local time.
        hour = self.rand.triangular(7, 23, 14)
        local = datetime.combine(day, time(0, 0), _TZ) + timedelta(hours=hour)
        return local.astimezone(UTC).replace(microsecond=self.rand.randrange(1_000_000))

    def _sale(self, pk: int, merchant_id: int, day: date, at: datetime) -> dict[str, Any]:
        rand = self.rand
        brand, _, prefix = rand.choices(_CARDS, weights=_CARD_WEIGHTS)[0]
        last_four = f"{rand.randrange(10_000):04d}"
        amount = int(rand.lognormvariate(7.8, 1.0)) + 100  # median ~ $25
        amount = min(amount, 2_500_000)
        roll = rand.random()
        kind, state, result, code, text_ = "sale", "captured", "A", "00", "Approval"
        authorized = captured = amount
        if roll < 0.05:
            code, text_ = rand.choice(_DECLINES)
            kind, state, result, authorized, captured = "sale", "declined", "C", 0, 0
        elif roll < 0.07:
            kind, captured = "auth", 0
            state = "authorized" if (self.today - day).days < 7 else "expired"
        elif roll < 0.08:
            kind, state, amount, authorized, captured = "verify", "verified", 0, 0, 0
        custom = {"custom_01": f"INV-{pk}"} if rand.random() < 0.3 else {}
        if rand.random() < 0.1:
            custom["custom_06"] = f"CUST-{rand.randrange(100_000)}"
        holder: dict[str, Any] = {}
        if rand.random() < 0.6:
            holder["name"] = f"{rand.choice(_FIRST)} {rand.choice(_LAST)}"
            holder["account_zip"] = f"{rand.randrange(10_000, 99_999)}"
        month = rand.randrange(1, 13)
        year = (day.year + rand.randrange(1, 5)) % 100
        return {
            "id": pk,
            "merchant_id": merchant_id,
            "kind": kind,
            "state": state,
            "parent_id": None,
            "currency": "USD",
            "amount_form": "cents",
            "amount_requested": amount,
            "amount_authorized": authorized,
            "amount_captured": captured,
            "amount_refunded": 0,
            "fee_rate_bps": 0,
            "fee_amount": 0,
            "fee_refunded": 0,
            "result": result,
            "resp_code": code,
            "resp_text": text_,
            "resp_proc": "SIM",
            "auth_code": f"{rand.randrange(16**6):06X}" if result == "A" else None,
            "avs_resp": rand.choice(_AVS) if holder else "",
            "cvv_resp": rand.choice(_CVV),
            "processor_ref": None,
            "card_brand": brand,
            "card_funding": "credit" if rand.random() < 0.7 else "debit",
            "comm_card": rand.random() < 0.05,
            "bin": prefix,
            "last_four": last_four,
            "account_token": f"9{rand.randrange(10**10, 10**11)}{last_four}",
            "expiration": f"{month:02d}{year:02d}",
            "order_id": f"HR{rand.getrandbits(64):016X}",
            "invoice_id": f"INV{pk}" if rand.random() < 0.2 else None,
            "user_identifier": None,
            "cof": None,
            "cof_sched": None,
            "cof_perm": None,
            "com_ind": "E",
            "holder": holder,
            "custom": custom,
            "extra": {},
            "batch_id": None,
            "settled_at": None,
            "authorization_expires_at": None,
            "chargeback_after_days": None,
            "chargeback_reason": None,
            "created_at": at,
            "updated_at": at,
        }

    async def day(self, merchant_id: int, day: date, count: int) -> None:
        writer = self.writer
        pending = self.pending[merchant_id]
        due_refunds = pending.refunds.pop(day, [])
        ids = await writer.ids(_TXN, count + len(due_refunds))
        moments = sorted(self._moment(day) for _ in range(count + len(due_refunds)))
        settled = day < self.today
        batch_rows: list[dict[str, Any]] = []

        for n in range(count):
            row = self._sale(ids[n], merchant_id, day, moments[n])
            if row["state"] == "captured" and settled and self.rand.random() < 0.02:
                later = day + timedelta(days=self.rand.randrange(1, 11))
                if later < self.today:
                    pending.refunds[later].append(row)
            if row["state"] == "captured" and settled and self.rand.random() < 0.003:
                opened = day + timedelta(days=self.rand.randrange(5, 41))
                if opened < self.today:
                    pending.chargebacks[opened].append(row)
            if row["state"] == "declined":
                self.summary.declines += 1
            batch_rows.append(row)
            writer.add(_TXN, row)

        for n, parent in enumerate(due_refunds):
            whole = self.rand.random() < 0.7
            captured = int(parent["amount_captured"])
            amount = captured if whole else max(1, captured // self.rand.randrange(2, 5))
            at = moments[count + n]
            refund = {
                **parent,
                "id": ids[count + n],
                "kind": "refund",
                "state": "captured",
                "parent_id": parent["id"],
                "amount_requested": amount,
                "amount_authorized": amount,
                "amount_captured": amount,
                "amount_refunded": 0,
                "auth_code": f"{self.rand.randrange(16**6):06X}",
                "avs_resp": "",
                "cvv_resp": "",
                "batch_id": None,
                "settled_at": None,
                "created_at": at,
                "updated_at": at,
            }
            parent["amount_refunded"] = amount
            writer.refund_updates.append(
                {
                    "id": parent["id"],
                    "amount_refunded": amount,
                    "fee_refunded": 0,
                    "state": "refunded" if whole else "partially_refunded",
                }
            )
            self.summary.refunds += 1
            batch_rows.append(refund)
            writer.add(_TXN, refund)

        self.made += count + len(due_refunds)
        self.sales += count
        if settled:
            await self._settle(merchant_id, day, batch_rows)
        await writer.flush_if_full()

    async def _settle(self, merchant_id: int, day: date, rows: list[dict[str, Any]]) -> None:
        writer = self.writer
        pending = self.pending[merchant_id]
        closes = _cutoff_utc(day)
        funds = _next_business_day(day)
        funded_at = datetime.combine(funds, time(13, 0), _TZ).astimezone(UTC)
        (batch_pk,) = await writer.ids(_BATCH, 1)
        (deposit_pk,) = await writer.ids(_DEPOSIT, 1)
        funding_id = f"F9{deposit_pk:09d}"
        batch_id = f"{day:%Y%m%d}S{batch_pk:07d}"
        sales = [r for r in rows if r["kind"] == "sale" and r["state"] == "captured"]
        refunds = [r for r in rows if r["kind"] == "refund"]
        for r in (*sales, *refunds):
            r["state"] = "settled"
            r["batch_id"] = batch_id
            r["settled_at"] = closes
            r["updated_at"] = closes
        sale_amount = sum(int(r["amount_captured"]) for r in sales)
        refund_amount = sum(int(r["amount_captured"]) for r in refunds)
        fees = sum(_fee(int(r["amount_captured"])) for r in sales)

        chargeback_total = 0
        adjustments_total = 0
        for sale in pending.chargebacks.pop(day, []):
            (cb_pk,) = await writer.ids(_CHARGEBACK, 1)
            (adj_pk,) = await writer.ids(_ADJUSTMENT, 1)
            code, reason = self.rand.choice(_REASONS)
            amount = int(sale["amount_captured"]) - int(sale["amount_refunded"])
            if amount <= 0:
                continue
            opened = datetime.combine(day, time(10, 0), _TZ).astimezone(UTC)
            lost = self.rand.random() < 0.6
            decided = opened + timedelta(days=30)
            writer.add(
                _CHARGEBACK,
                {
                    "id": cb_pk,
                    "case_number": f"9{cb_pk:011d}",
                    "merchant_id": merchant_id,
                    "transaction_id": sale["id"],
                    "batch_id": sale["batch_id"],
                    "currency": "USD",
                    "amount": amount,
                    "fee_amount": CHARGEBACK_FEE,
                    "reason_code": code,
                    "reason_text": reason,
                    "card_brand": sale["card_brand"],
                    "last_four": sale["last_four"],
                    "state": ("lost" if lost else "won") if decided.date() < self.today else "open",
                    "source": "simulator",
                    "opened_at": opened,
                    "respond_by": decided,
                    "decided_at": decided if decided.date() < self.today else None,
                    "decided_by": "clock" if decided.date() < self.today else None,
                    "funding_master_id": funding_id,
                    "reversal_funding_master_id": None,
                    "created_at": opened,
                    "updated_at": opened,
                },
            )
            writer.add(
                _ADJUSTMENT,
                {
                    "id": adj_pk,
                    "merchant_id": merchant_id,
                    "currency": "USD",
                    "amount": -CHARGEBACK_FEE,
                    "adjustment_type": "chargeback_fee",
                    "adjustment_reason": f"Chargeback fee, case 9{cb_pk:011d}",
                    "adjustment_date": opened,
                    "chargeback_id": cb_pk,
                    "reference": f"chargeback_fee:{cb_pk}",
                    "created_by": "system",
                    "funding_master_id": funding_id,
                    "created_at": opened,
                },
            )
            chargeback_total += amount
            adjustments_total -= CHARGEBACK_FEE
            self.summary.chargebacks += 1
            self.summary.adjustments += 1

        month = f"{day:%Y-%m}"
        if (day + timedelta(days=1)).month != day.month and (
            merchant_id,
            month,
        ) not in self.month_fees:
            self.month_fees.add((merchant_id, month))
            (adj_pk,) = await writer.ids(_ADJUSTMENT, 1)
            writer.add(
                _ADJUSTMENT,
                {
                    "id": adj_pk,
                    "merchant_id": merchant_id,
                    "currency": "USD",
                    "amount": -MONTHLY_FEE,
                    "adjustment_type": "monthly_fee",
                    "adjustment_reason": f"Monthly account fee, {month}",
                    "adjustment_date": closes,
                    "chargeback_id": None,
                    "reference": f"monthly_fee:{month}",
                    "created_by": "system",
                    "funding_master_id": funding_id,
                    "created_at": closes,
                },
            )
            adjustments_total -= MONTHLY_FEE
            self.summary.adjustments += 1

        if not sales and not refunds and not chargeback_total and not adjustments_total:
            return
        has_batch = bool(sales or refunds)
        if has_batch:
            writer.add(
                _BATCH,
                {
                    "id": batch_pk,
                    "batch_id": batch_id,
                    "merchant_id": merchant_id,
                    "currency": "USD",
                    "business_date": day,
                    "closed_at": closes,
                    "transaction_count": len(sales) + len(refunds),
                    "sale_count": len(sales),
                    "sale_amount": sale_amount,
                    "refund_count": len(refunds),
                    "refund_amount": refund_amount,
                    "net_amount": sale_amount - refund_amount,
                    "processing_fee": fees,
                    "deposit_date": funds,
                    "funding_master_id": funding_id if funds <= self.today else None,
                    "funded_at": funded_at if funds <= self.today else None,
                },
            )
            self.summary.batches += 1
        if funds > self.today:
            return  # not funded yet: the deposit comes tomorrow
        writer.add(
            _DEPOSIT,
            {
                "id": deposit_pk,
                "funding_master_id": funding_id,
                "merchant_id": merchant_id,
                "currency": "USD",
                "batch_id": batch_id if has_batch else None,
                "deposit_date": funds,
                "funded_at": funded_at,
                "amount": sale_amount - refund_amount - fees - chargeback_total + adjustments_total,
                "sales_count": len(sales),
                "sales_amount": sale_amount,
                "refunds_count": len(refunds),
                "refunds_amount": refund_amount,
                "fees_amount": fees,
                "chargebacks_amount": chargeback_total,
                "reversals_amount": 0,
                "adjustments_amount": adjustments_total,
            },
        )
        self.summary.deposits += 1


async def seed(db: Database, plan: SeedPlan, now: datetime, progress: Progress) -> SeedSummary:
    """Write the plan's data; `progress(n)` is told of every n transactions written."""
    today = now.astimezone(_TZ).date()
    writer = _Writer(db, plan.batch_size, progress)
    gen = _Generator(plan, today, writer)
    merchants = await gen.merchants(now)
    weights = _weights(len(merchants))
    first = today - timedelta(days=plan.days - 1)
    days = [first + timedelta(days=offset) for offset in range(plan.days)]
    # Weekends are quieter; the factors average 1 so the total comes out at the plan's.
    factors = [0.7 if day.weekday() >= 5 else 1.1 for day in days]
    mean = sum(factors) / len(factors)
    per_day = plan.transactions / plan.days
    carry = [0.0] * len(merchants)
    for day, factor in zip(days, factors, strict=True):
        last_day = day == days[-1]
        for index, (merchant_id, _) in enumerate(merchants):
            expected = per_day * weights[index] * factor / mean + carry[index]
            count = int(expected)
            carry[index] = expected - count
            if last_day and index == len(merchants) - 1:
                count = plan.transactions - gen.sales  # the last one makes it exact
            count = max(0, min(count, plan.transactions - gen.sales))
            if count or gen.pending[merchant_id].refunds or gen.pending[merchant_id].chargebacks:
                await gen.day(merchant_id, day, count)
    await writer.flush()
    if db.engine.dialect.name == "postgresql":
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await bulk.analyze(connection)
    summary = gen.summary
    summary.transactions = gen.made
    summary.first_day, summary.last_day = first, today
    return summary


def brand_share() -> dict[str, int]:
    """The brands' weights in seeded data (documentation and tests)."""
    return {brand: weight for brand, weight, _ in _CARDS if brand in BRAND_IDS}
