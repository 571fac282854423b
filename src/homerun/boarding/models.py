"""Boarding tables: partners, their rep codes and OAuth clients, templates, applications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from homerun.boarding.state import Status
from homerun.kit.db.base import Base, BigId, Json, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn


class Partner(Base):
    """An ISV or agent that boards merchants; partners may sit under a parent partner."""

    __tablename__ = "boarding_partners"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("boarding_partners.id"), nullable=True, index=True
    )
    # The sandbox clock for applications sent with auto-send (seconds; None = never by clock).
    signature_delay_seconds: Mapped[int] = mapped_column(Integer)
    underwriting_delay_seconds: Mapped[int] = mapped_column(Integer)
    go_live_delay_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RepCode(Base):
    """A sales representative code of a partner; every application names one."""

    __tablename__ = "boarding_rep_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("boarding_partners.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClientPartner(Base):
    """The partner an OAuth client acts for (boarding: what it sees; reporting: what it reads)."""

    __tablename__ = "boarding_client_partners"

    client_pk: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("boarding_partners.id"), index=True)


class Template(Base):
    """A partner's application template: default pricing, fees and products."""

    __tablename__ = "boarding_templates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("boarding_partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    pricing: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    fees: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    products: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Application(Base):
    """A merchant application; its id is the Boarding API's integer merchant_id.

    Money in minor units, percentages in hundredths, pricing rates in thousandths of
    a percent; nested parts (addresses, pricing, fees, products) are stored normalised.
    """

    __tablename__ = "boarding_merchants"
    __table_args__ = (
        Index("ix_boarding_merchants_partner", "partner_id", "id"),
        Index("ix_boarding_merchants_due", "next_step_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("boarding_partners.id"))
    rep_code_id: Mapped[int] = mapped_column(ForeignKey("boarding_rep_codes.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    platform: Mapped[str] = mapped_column(String(16))
    status: Mapped[Status] = mapped_column(StrEnumColumn(Status, 24))
    status_reason: Mapped[str | None] = mapped_column(String(400), nullable=True)
    auto_send: Mapped[bool] = mapped_column(Boolean, default=False)
    next_step_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pended: Mapped[int] = mapped_column(Integer, default=0)
    merchant_type_id: Mapped[int] = mapped_column(Integer, default=1)
    # Set when boarded: the Payments API merchant and its MID.
    merchant_pk: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, unique=True
    )
    mid: Mapped[str | None] = mapped_column(String(12), nullable=True, unique=True)

    dba_name: Mapped[str] = mapped_column(String(150))
    legal_name: Mapped[str | None] = mapped_column(String(150), nullable=True)
    tax_id: Mapped[str | None] = mapped_column(String(12), nullable=True)
    years_in_business: Mapped[int | None] = mapped_column(Integer, nullable=True)
    website: Mapped[str | None] = mapped_column(String(250), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(12), nullable=True)
    mcc_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    business_desc: Mapped[str | None] = mapped_column(String(400), nullable=True)
    when_card_charged: Mapped[str | None] = mapped_column(String(32), nullable=True)
    services_provided_in: Mapped[str | None] = mapped_column(String(32), nullable=True)
    refund_policy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    seasonal: Mapped[bool] = mapped_column(Boolean, default=False)
    seasonal_months: Mapped[str | None] = mapped_column(String(30), nullable=True)
    annual_volume: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    average_ticket: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    highest_ticket: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    in_person_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    online_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    telephone_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ownership_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_crm_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    custom_01: Mapped[str | None] = mapped_column(String(250), nullable=True)

    signer_first_name: Mapped[str] = mapped_column(String(100))
    signer_last_name: Mapped[str] = mapped_column(String(100))
    signer_email: Mapped[str] = mapped_column(String(150))
    signer_title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    signer_phone: Mapped[str | None] = mapped_column(String(12), nullable=True)
    signer_dob: Mapped[str | None] = mapped_column(String(10), nullable=True)  # mm/dd/yyyy
    signer_address1: Mapped[str | None] = mapped_column(String(100), nullable=True)
    signer_address2: Mapped[str | None] = mapped_column(String(100), nullable=True)
    signer_city: Mapped[str | None] = mapped_column(String(50), nullable=True)
    signer_state: Mapped[str | None] = mapped_column(String(2), nullable=True)
    signer_zip: Mapped[str | None] = mapped_column(String(10), nullable=True)
    signer_ownership_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)

    addresses: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    # The bank account: routing number and last four in the clear, the number sealed.
    bank_account: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    bank_account_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    application_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("boarding_templates.id"), nullable=True
    )
    pricing: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    fees: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    products: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CredentialHandoff(Base):
    """The Payments API credentials issued at boarding, sealed until the partner fetches them.

    Handed over once: the sealed copy is erased on retrieval, after which only the
    keyed hashes of auth/ remain (ruling R2).
    """

    __tablename__ = "boarding_credential_handoffs"
    __table_args__ = (UniqueConstraint("application_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("boarding_merchants.id"))
    credential_set_id: Mapped[int] = mapped_column(ForeignKey("credential_sets.id"))
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retrieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
