"""Transactions: one row per charge, authorization, verification or refund."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from homerun.ach.bank_accounts import AccountType
from homerun.kit.db.base import Base, BigId, Json, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.payments.state import Kind, PaymentMethod, Result, State

_HAS_INVOICE = text("invoice_id IS NOT NULL")
_HAS_HOLDER = text("vault_holder_id IS NOT NULL")


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (
        # Reporting pages walk this in order (merchant, time, id): a page costs the same
        # however many rows the table holds.
        Index("ix_transactions_merchant_created", "merchant_id", "created_at", "id"),
        # ... and this one in time order across the merchants of a multi-merchant client.
        Index("ix_transactions_created", "created_at", "id"),
        Index("ix_transactions_merchant_order", "merchant_id", "order_id"),
        # People find a payment by its card's last four digits (the dashboard's search).
        Index("ix_transactions_merchant_last_four", "merchant_id", "last_four", "created_at", "id"),
        # ... and by status, invoice, amount or customer (the dashboard's list and its CSV
        # export). State is already in an index (ix_transactions_open), so a change of state
        # was never a HOT update: this one adds an entry, not a slower kind of update.
        Index("ix_transactions_merchant_state", "merchant_id", "state", "created_at", "id"),
        Index(
            "ix_transactions_merchant_invoice",
            "merchant_id",
            "invoice_id",
            postgresql_where=_HAS_INVOICE,
            sqlite_where=_HAS_INVOICE,
        ),
        Index(
            "ix_transactions_merchant_amount", "merchant_id", "amount_requested", "created_at", "id"
        ),
        Index(
            "ix_transactions_merchant_holder",
            "merchant_id",
            "vault_holder_id",
            "created_at",
            "id",
            postgresql_where=_HAS_HOLDER,
            sqlite_where=_HAS_HOLDER,
        ),
    )

    # The primary key is the wire trans_id (as a numeric string).
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    kind: Mapped[Kind] = mapped_column(StrEnumColumn(Kind, 8))
    state: Mapped[State] = mapped_column(StrEnumColumn(State, 20))
    # A refund's original. Not a foreign key: a partitioned transactions table (by
    # created_at, docs/operations.md) can be referred to by no foreign key; the refund is
    # written with the original it read and locked, and `homerun verify` finds an orphan.
    parent_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_form: Mapped[str] = mapped_column(String(8))  # how the client wrote amounts
    # Base amounts in minor units, surcharge excluded.
    amount_requested: Mapped[int] = mapped_column(BigInteger)
    amount_authorized: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_captured: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    # Surcharge: rate in basis points, fee on what was captured, fee given back.
    fee_rate_bps: Mapped[int] = mapped_column(Integer, default=0)
    fee_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_refunded: Mapped[int] = mapped_column(BigInteger, default=0)

    result: Mapped[Result] = mapped_column(StrEnumColumn(Result, 1))
    resp_code: Mapped[str] = mapped_column(String(4))
    resp_text: Mapped[str] = mapped_column(String(64))
    resp_proc: Mapped[str] = mapped_column(String(8))
    auth_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    avs_resp: Mapped[str] = mapped_column(String(2), default="")
    cvv_resp: Mapped[str] = mapped_column(String(2), default="")
    processor_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)

    card_brand: Mapped[str | None] = mapped_column(String(16), nullable=True)
    card_funding: Mapped[str | None] = mapped_column(String(8), nullable=True)
    comm_card: Mapped[bool] = mapped_column(Boolean, default=False)
    bin: Mapped[str | None] = mapped_column(String(6), nullable=True)
    last_four: Mapped[str | None] = mapped_column(String(4), nullable=True)
    account_token: Mapped[str | None] = mapped_column(String(19), nullable=True)
    expiration: Mapped[str | None] = mapped_column(String(4), nullable=True)  # MMYY

    order_id: Mapped[str] = mapped_column(String(64))
    invoice_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_identifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cof: Mapped[str | None] = mapped_column(String(1), nullable=True)
    cof_sched: Mapped[str | None] = mapped_column(String(1), nullable=True)
    cof_perm: Mapped[str | None] = mapped_column(String(1), nullable=True)
    # One character for a card; for ACH the entry class it overrode (WEB, PPD, CCD, TEL).
    com_ind: Mapped[str | None] = mapped_column(String(3), nullable=True)
    # The vaulted account charged, or stored by this charge (vaulted=True); uuids.
    vault_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    vault_holder_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    vaulted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Holder name/address/contact as sent, custom_01..custom_10, level 2/3 data.
    holder: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    custom: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)

    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    authorization_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Simulator cards that will draw a chargeback: acted on by settlement.
    chargeback_after_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chargeback_reason: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # ACH (docs/ach.md): the method, the bank account's type and routing number, the
    # payment's entry class, and what the payer's bank sent back: a return (R01..R85) or a
    # notification of change (C01..). Card rows leave them NULL (card_brand says "ACH"
    # for a bank payment, last_four is the account's).
    payment_method: Mapped[PaymentMethod] = mapped_column(
        StrEnumColumn(PaymentMethod, 4),
        default=PaymentMethod.CARD,
        server_default=PaymentMethod.CARD.value,
    )
    ach_account_type: Mapped[AccountType | None] = mapped_column(
        StrEnumColumn(AccountType, 8), nullable=True
    )
    ach_routing_number: Mapped[str | None] = mapped_column(String(9), nullable=True)
    ach_entry_class: Mapped[str | None] = mapped_column(String(3), nullable=True)
    ach_return_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    ach_return_reason: Mapped[str | None] = mapped_column(String(100), nullable=True)
    ach_change_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    ach_originated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Simulator test accounts that the bank will send back (a return or a change), so many
    # banking days after settlement: acted on by the ACH cut-off job.
    ach_planned_return: Mapped[str | None] = mapped_column(String(3), nullable=True)
    ach_return_after_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
