"""Ledger entries: one row per line of a balanced journal, in integer minor units.

Sign convention: `amount` > 0 is a debit, < 0 a credit; the lines of one `journal`
sum to zero. Accounts are kept per merchant (every line has `merchant_id`):

- `card_clearing`     asset: what the card networks owe for the merchant's sales
- `merchant_payable`  liability: what Homerun owes the merchant and has not yet paid
- `processor_income`  income: processing fees, chargeback fees, monthly fees, manual
                       adjustments (both ways)
- `bank`              asset: the operating bank account deposits are paid from

The merchant's pending balance is minus the sum of its `merchant_payable` lines.
Lines on `merchant_payable` carry `available_on` (the merchant-local date from which
they may be funded) and `deposit_id` once a deposit has swept them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.ledger.accounts import Kind


class LedgerEntry(Base):
    """One line of a journal.

    - `journal`: the id shared by the lines of one balanced movement, e.g.
      "batch:<batch_id>:sale", "chargeback:42", "adjustment:7", "deposit:F1000003".
    - `kind`: sale | refund | fee | chargeback | reversal | adjustment | deposit.
    - `account`: one of homerun.ledger.accounts.Account.
    - `batch_id` / `chargeback_id` / `adjustment_id`: what the movement came from.
    - `deposit_id`: on merchant_payable lines, the deposit that paid them out.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_merchant_account", "merchant_id", "account"),
        Index(
            "ix_ledger_entries_unfunded",
            "merchant_id",
            "available_on",
            postgresql_where=text("deposit_id IS NULL AND account = 'merchant_payable'"),
            sqlite_where=text("deposit_id IS NULL AND account = 'merchant_payable'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    currency: Mapped[str] = mapped_column(String(3))
    journal: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[Kind] = mapped_column(StrEnumColumn(Kind, 16))
    account: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    # What the table is partitioned by on a large deployment (docs/operations.md).
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    available_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    chargeback_id: Mapped[int | None] = mapped_column(
        ForeignKey("chargebacks.id"), nullable=True, index=True
    )
    adjustment_id: Mapped[int | None] = mapped_column(
        ForeignKey("adjustments.id"), nullable=True, index=True
    )
    deposit_id: Mapped[int | None] = mapped_column(
        ForeignKey("deposits.id"), nullable=True, index=True
    )
