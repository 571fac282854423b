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
from typing import Any, cast

from sqlalchemy import Table

from homerun.kit.db.engine import Database
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.reporting import bulk
from homerun.reporting import seed_rows as rows_of
from homerun.reporting.seed_rows import CHARGEBACK_FEE, MONTHLY_FEE, TZ
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit

Progress = Callable[[int], None]

_TXN = cast(Table, Transaction.__table__)
_BATCH = cast(Table, Batch.__table__)
_DEPOSIT = cast(Table, Deposit.__table__)
_CHARGEBACK = cast(Table, Chargeback.__table__)
_ADJUSTMENT = cast(Table, Adjustment.__table__)
_MERCHANT = cast(Table, Merchant.__table__)


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


@dataclass
class _Day:
    """One merchant's settled day: its batch, its deposit, and what the deposit nets."""

    merchant_id: int
    day: date
    funds: date  # the deposit's date: the next business day
    batch_pk: int
    deposit_pk: int
    sales: list[dict[str, Any]]
    refunds: list[dict[str, Any]]
    chargebacks: int = 0  # the amount charged back
    adjustments: int = 0  # signed: fees are negative

    @property
    def closes(self) -> datetime:
        return rows_of.cutoff_utc(self.day)

    @property
    def funded_at(self) -> datetime:
        return rows_of.local_utc(self.funds, 13)

    @property
    def funding_id(self) -> str:
        return f"F9{self.deposit_pk:09d}"

    @property
    def batch_id(self) -> str:
        return f"{self.day:%Y%m%d}S{self.batch_pk:07d}"

    @property
    def sale_amount(self) -> int:
        return sum(int(r["amount_captured"]) for r in self.sales)

    @property
    def refund_amount(self) -> int:
        return sum(int(r["amount_captured"]) for r in self.refunds)

    @property
    def fees(self) -> int:
        return sum(rows_of.fee(int(r["amount_captured"])) for r in self.sales)


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
            ids = await bulk.reserve_ids(connection, _MERCHANT, self.plan.merchants)
            rows = []
            out = []
            for n, pk in enumerate(ids):
                mid = str(self.rand.randrange(10**11, 10**12))
                while mid in taken:
                    mid = str(self.rand.randrange(10**11, 10**12))
                taken.add(mid)
                name = (
                    f"{self.rand.choice(rows_of.LAST)} {self.rand.choice(rows_of.SHOPS)} #{n + 1}"
                )
                rows.append(rows_of.merchant_row(pk, mid, name, now))
                out.append((pk, mid))
            await bulk.insert_rows(connection, _MERCHANT, rows)
        self.summary.merchants = [mid for _, mid in out]
        return out

    # ----------------------------------------------------------------------- one day

    def _moment(self, day: date) -> datetime:
        # Busier in the afternoon: a triangle peaking at 14:00 local time.
        hour = self.rand.triangular(7, 23, 14)
        local = datetime.combine(day, time(0, 0), TZ) + timedelta(hours=hour)
        return local.astimezone(UTC).replace(microsecond=self.rand.randrange(1_000_000))

    async def day(self, merchant_id: int, day: date, count: int) -> None:
        pending = self.pending[merchant_id]
        due_refunds = pending.refunds.pop(day, [])
        ids = await self.writer.ids(_TXN, count + len(due_refunds))
        moments = sorted(self._moment(day) for _ in range(count + len(due_refunds)))
        settled = day < self.today
        batch_rows = [
            self._sale(pending, ids[n], merchant_id, day, moments[n], settled) for n in range(count)
        ]
        for n, parent in enumerate(due_refunds):
            batch_rows.append(self._refund(parent, ids[count + n], moments[count + n]))
        self.made += count + len(due_refunds)
        self.sales += count
        if settled:
            await self._settle(merchant_id, day, batch_rows)
        await self.writer.flush_if_full()

    def _sale(
        self, pending: _Pending, pk: int, merchant_id: int, day: date, at: datetime, settled: bool
    ) -> dict[str, Any]:
        """A sale, and the refund (~2%) or chargeback (~0.3%) it will have on a later day."""
        row = rows_of.sale_row(self.rand, pk, merchant_id, day, at, self.today)
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
        self.writer.add(_TXN, row)
        return row

    def _refund(self, parent: dict[str, Any], pk: int, at: datetime) -> dict[str, Any]:
        """A refund of the whole sale (70%) or of a part of it, and the sale's new state."""
        whole = self.rand.random() < 0.7
        captured = int(parent["amount_captured"])
        amount = captured if whole else max(1, captured // self.rand.randrange(2, 5))
        refund = rows_of.refund_row(self.rand, pk, parent, amount, at)
        parent["amount_refunded"] = amount
        self.writer.refund_updates.append(
            {
                "id": parent["id"],
                "amount_refunded": amount,
                "fee_refunded": 0,
                "state": "refunded" if whole else "partially_refunded",
            }
        )
        self.summary.refunds += 1
        self.writer.add(_TXN, refund)
        return refund

    # ----------------------------------------------------------------------- settlement

    async def _settle(self, merchant_id: int, day: date, rows: list[dict[str, Any]]) -> None:
        (batch_pk,) = await self.writer.ids(_BATCH, 1)
        (deposit_pk,) = await self.writer.ids(_DEPOSIT, 1)
        settled = _Day(
            merchant_id,
            day,
            rows_of.next_business_day(day),
            batch_pk,
            deposit_pk,
            sales=[r for r in rows if r["kind"] == "sale" and r["state"] == "captured"],
            refunds=[r for r in rows if r["kind"] == "refund"],
        )
        for r in (*settled.sales, *settled.refunds):
            r["state"] = "settled"
            r["batch_id"] = settled.batch_id
            r["settled_at"] = settled.closes
            r["updated_at"] = settled.closes
        for sale in self.pending[merchant_id].chargebacks.pop(day, []):
            await self._chargeback(settled, sale)
        await self._monthly_fee(settled)
        if not (settled.sales or settled.refunds or settled.chargebacks or settled.adjustments):
            return
        if settled.sales or settled.refunds:
            self.writer.add(_BATCH, self._batch_row(settled))
            self.summary.batches += 1
        if settled.funds > self.today:
            return  # not funded yet: the deposit comes tomorrow
        self.writer.add(_DEPOSIT, _deposit_row(settled))
        self.summary.deposits += 1

    async def _chargeback(self, settled: _Day, sale: dict[str, Any]) -> None:
        """A chargeback opened on the day, with its fee taken from the day's deposit."""
        (cb_pk,) = await self.writer.ids(_CHARGEBACK, 1)
        (adj_pk,) = await self.writer.ids(_ADJUSTMENT, 1)
        reason = self.rand.choice(rows_of.REASONS)
        amount = int(sale["amount_captured"]) - int(sale["amount_refunded"])
        if amount <= 0:
            return
        opened = rows_of.local_utc(settled.day, 10)
        lost = self.rand.random() < 0.6
        decided = opened + timedelta(days=30)
        dates = rows_of.ChargebackDates(
            opened, decided, decided.date() < self.today, lost, settled.funding_id
        )
        self.writer.add(_CHARGEBACK, rows_of.chargeback_row(cb_pk, sale, amount, reason, dates))
        self.writer.add(
            _ADJUSTMENT,
            rows_of.fee_adjustment_row(
                adj_pk,
                settled.merchant_id,
                "chargeback_fee",
                CHARGEBACK_FEE,
                f"Chargeback fee, case 9{cb_pk:011d}",
                f"chargeback_fee:{cb_pk}",
                adjustment_date=opened,
                chargeback_id=cb_pk,
                funding_master_id=settled.funding_id,
            ),
        )
        settled.chargebacks += amount
        settled.adjustments -= CHARGEBACK_FEE
        self.summary.chargebacks += 1
        self.summary.adjustments += 1

    async def _monthly_fee(self, settled: _Day) -> None:
        """The monthly fee, on the last day of each month."""
        day = settled.day
        month = f"{day:%Y-%m}"
        key = (settled.merchant_id, month)
        if (day + timedelta(days=1)).month == day.month or key in self.month_fees:
            return
        self.month_fees.add(key)
        (adj_pk,) = await self.writer.ids(_ADJUSTMENT, 1)
        self.writer.add(
            _ADJUSTMENT,
            rows_of.fee_adjustment_row(
                adj_pk,
                settled.merchant_id,
                "monthly_fee",
                MONTHLY_FEE,
                f"Monthly account fee, {month}",
                f"monthly_fee:{month}",
                adjustment_date=settled.closes,
                funding_master_id=settled.funding_id,
            ),
        )
        settled.adjustments -= MONTHLY_FEE
        self.summary.adjustments += 1

    def _batch_row(self, settled: _Day) -> dict[str, Any]:
        funded = settled.funds <= self.today
        return {
            "id": settled.batch_pk,
            "batch_id": settled.batch_id,
            "merchant_id": settled.merchant_id,
            "currency": "USD",
            "business_date": settled.day,
            "closed_at": settled.closes,
            "transaction_count": len(settled.sales) + len(settled.refunds),
            "sale_count": len(settled.sales),
            "sale_amount": settled.sale_amount,
            "refund_count": len(settled.refunds),
            "refund_amount": settled.refund_amount,
            "net_amount": settled.sale_amount - settled.refund_amount,
            "processing_fee": settled.fees,
            "deposit_date": settled.funds,
            "funding_master_id": settled.funding_id if funded else None,
            "funded_at": settled.funded_at if funded else None,
        }


def _deposit_row(settled: _Day) -> dict[str, Any]:
    net = settled.sale_amount - settled.refund_amount - settled.fees
    return {
        "id": settled.deposit_pk,
        "funding_master_id": settled.funding_id,
        "merchant_id": settled.merchant_id,
        "currency": "USD",
        "batch_id": settled.batch_id if settled.sales or settled.refunds else None,
        "deposit_date": settled.funds,
        "funded_at": settled.funded_at,
        "amount": net - settled.chargebacks + settled.adjustments,
        "sales_count": len(settled.sales),
        "sales_amount": settled.sale_amount,
        "refunds_count": len(settled.refunds),
        "refunds_amount": settled.refund_amount,
        "fees_amount": settled.fees,
        "chargebacks_amount": settled.chargebacks,
        "reversals_amount": 0,
        "adjustments_amount": settled.adjustments,
    }


async def seed(db: Database, plan: SeedPlan, now: datetime, progress: Progress) -> SeedSummary:
    """Write the plan's data; `progress(n)` is told of every n transactions written."""
    today = now.astimezone(TZ).date()
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
