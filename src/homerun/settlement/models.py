"""Money after the charge: batches, deposits (funding), chargebacks and adjustments.

Every amount is an integer of minor units in the row's `currency`. Field meanings
are written on each model because the Reporting API (src/homerun/reporting/) reads
these tables directly; docs/settlement.md tells the whole story.

How the rows hang together:
- A `Batch` is born when a merchant's open batch closes (at its daily cut-off or by
  an admin): every captured sale and refund of the merchant becomes settled and
  carries the batch's `batch_id` (transactions.batch_id).
- A `Deposit` funds one batch on its deposit date, net of processing fees, and nets
  in whatever chargebacks, reversals and adjustments were booked and not yet funded.
  Its `funding_master_id` is copied onto the batch, the adjustments and the
  chargebacks it carried; a transaction's funding id is its batch's.
- A `Chargeback` disputes one settled sale; its fee is an `Adjustment`.
- The double-entry ledger underneath lives in homerun.ledger.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.payments.models import Transaction
from homerun.settlement.state import ChargebackState


class Batch(Base):
    """A closed settlement batch: every captured sale and refund of a merchant up to a moment.

    - `batch_id`: the public batch id (also on each settled transaction's `batch_id`).
    - `business_date`: the merchant-local date whose cut-off closed the batch (an early
      close by an admin belongs to the date of the next cut-off).
    - `closed_at`: when it closed (UTC).
    - `transaction_count` = `sale_count` + `refund_count`.
    - `sale_amount` / `refund_amount`: gross amounts, surcharges included, both positive.
    - `net_amount` = `sale_amount` - `refund_amount`.
    - `processing_fee`: the merchant's pricing applied to the batch's sales
      (percentage of each sale's gross, rounded half up, plus the fixed fee per sale).
    - `deposit_date`: the merchant-local date the batch is funded (per the merchant's
      funding delay in business days).
    - `funding_master_id` / `funded_at`: the deposit that paid it, once funded.
    """

    __tablename__ = "batches"
    __table_args__ = (Index("ix_batches_merchant_closed", "merchant_id", "closed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    business_date: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    transaction_count: Mapped[int] = mapped_column(Integer)
    sale_count: Mapped[int] = mapped_column(Integer, default=0)
    sale_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_count: Mapped[int] = mapped_column(Integer, default=0)
    refund_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    net_amount: Mapped[int] = mapped_column(BigInteger)  # sales minus refunds, surcharges included
    processing_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    deposit_date: Mapped[date] = mapped_column(Date)
    funding_master_id: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    funded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Deposit(Base):
    """A payment to (or, when `amount` is negative, a debit from) the merchant's bank account.

    - `funding_master_id`: the public funding id, "F" followed by digits (e.g. "F1000042").
    - `batch_id`: the batch this deposit funds; None for a deposit made only of
      chargebacks, reversals and adjustments (a merchant with no sales that day).
    - `deposit_date`: the merchant-local date the money lands; `funded_at`: when it was made.
    - `amount` = `sales_amount` - `refunds_amount` - `fees_amount` - `chargebacks_amount`
      + `reversals_amount` + `adjustments_amount`, to the cent.
    - `sales_*` / `refunds_*`: the batch's gross sales and refunds (surcharges included).
    - `fees_amount`: the batch's processing fees (positive = taken from the merchant).
    - `chargebacks_amount`: chargeback debits netted in (positive = taken).
    - `reversals_amount`: won chargebacks credited back (positive = given).
    - `adjustments_amount`: adjustments netted in, signed (negative = a fee taken).
    """

    __tablename__ = "deposits"
    __table_args__ = (Index("ix_deposits_merchant_date", "merchant_id", "deposit_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    funding_master_id: Mapped[str] = mapped_column(String(16), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    deposit_date: Mapped[date] = mapped_column(Date)
    funded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[int] = mapped_column(BigInteger)
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    sales_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refunds_count: Mapped[int] = mapped_column(Integer, default=0)
    refunds_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    fees_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    chargebacks_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    reversals_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    adjustments_amount: Mapped[int] = mapped_column(BigInteger, default=0)


class Chargeback(Base):
    """A cardholder's dispute of one settled sale (at most one per transaction).

    - `id`: the chargeback id; `case_number`: the network case number (12 digits).
    - `transaction_id`: the disputed transaction (its wire `trans_id`); `batch_id`: the
      batch that settled it; `card_brand` / `last_four`: copied from it.
    - `amount`: what was debited from the merchant (positive), at most what remained
      captured and unrefunded, surcharge included.
    - `reason_code` / `reason_text`: the card network's reason (e.g. "10.4", Visa fraud).
    - `state`: open | won | lost (homerun.settlement.chargeback_state).
    - `source`: simulator (a test card's planned chargeback) | manual
      (POST /homerun/v1/chargebacks).
    - `opened_at`: the chargeback date; `respond_by`: when the clock decides it if no admin
      has; `decided_at` / `decided_by` (admin | clock | merchant | network, the
      merchant's answer: settlement.responses).
    - `fee_amount`: the chargeback fee charged with it (an Adjustment of type chargeback_fee).
    - `funding_master_id`: the deposit that carried the debit; `reversal_funding_master_id`:
      the deposit that carried the credit back when won.
    """

    __tablename__ = "chargebacks"
    __table_args__ = (Index("ix_chargebacks_merchant_opened", "merchant_id", "opened_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    # Not a foreign key, so that transactions can be partitioned by time
    # (docs/operations.md): written from the transaction read, checked by `homerun verify`.
    transaction_id: Mapped[int] = mapped_column(BigId, unique=True)
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    fee_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    reason_code: Mapped[str] = mapped_column(String(8))
    reason_text: Mapped[str] = mapped_column(String(100))
    card_brand: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_four: Mapped[str | None] = mapped_column(String(4), nullable=True)
    state: Mapped[ChargebackState] = mapped_column(StrEnumColumn(ChargebackState, 8))
    source: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(8), nullable=True)
    funding_master_id: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    reversal_funding_master_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Adjustment(Base):
    """A processor-made change to what the merchant is owed, outside of any batch.

    - `amount`: signed from the merchant's side: negative = a debit (a fee taken),
      positive = a credit.
    - `adjustment_type`: chargeback_fee | monthly_fee | ACH_RETURN | ach_return_fee (made
      by Homerun) or the type an admin gave a manual one (default "manual"; lower-case
      words joined by "_").
    - `adjustment_reason`: readable reason ("Chargeback fee, case 123456789012",
      "Monthly account fee, 2026-11", or the admin's text).
    - `adjustment_date`: when it was made (UTC).
    - `chargeback_id`: the chargeback a chargeback fee belongs to.
    - `reference`: what makes a system adjustment unique per merchant
      ("monthly_fee:2026-11", "chargeback_fee:42", "ACH_RETURN:<trans_id>"); None for
      manual ones.
    - `created_by`: system | admin.
    - `funding_master_id`: the deposit that carried it, once funded.
    """

    __tablename__ = "adjustments"
    __table_args__ = (
        UniqueConstraint("merchant_id", "reference"),
        Index("ix_adjustments_merchant_date", "merchant_id", "adjustment_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    adjustment_type: Mapped[str] = mapped_column(String(32))
    adjustment_reason: Mapped[str] = mapped_column(String(255))
    adjustment_date: Mapped[datetime] = mapped_column(UTCDateTime)
    chargeback_id: Mapped[int | None] = mapped_column(
        ForeignKey("chargebacks.id"), nullable=True, index=True
    )
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(8))
    funding_master_id: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Settlement's access path into transactions: the open (authorized or captured) rows of a
# merchant, which is what batch close, authorization expiry and the cut-off fan-out read.
# A partial index stays small however many settled rows the table holds. Declared here
# so that the payments model stays the payments package's own.
OPEN_TRANSACTIONS = Index(
    "ix_transactions_open",
    Transaction.merchant_id,
    Transaction.state,
    postgresql_where=text("state IN ('authorized', 'captured')"),
    sqlite_where=text("state IN ('authorized', 'captured')"),
)
