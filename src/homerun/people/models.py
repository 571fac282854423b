"""The people who use the dashboard, their sessions and their one-time links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, Json, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.people.roles import Role, Tenant
from homerun.people.state import LinkPurpose, SessionStage


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    tenant: Mapped[Tenant] = mapped_column(StrEnumColumn(Tenant, 16))
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, index=True
    )
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("boarding_partners.id"), nullable=True, index=True
    )
    role: Mapped[Role] = mapped_column(StrEnumColumn(Role, 16))
    # argon2id (PHC string); none until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The TOTP secret, sealed under the instance key; recovery codes as keyed hashes.
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    recovery_hashes: Mapped[list[str]] = mapped_column(Json, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Consecutive failed sign-ins, and when the lock-out they caused ends.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A signed-in browser. The cookie carries a random token; only its keyed hash is here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[SessionStage] = mapped_column(StrEnumColumn(SessionStage, 16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserLink(Base):
    """A one-time link: an invitation or a password reset (printed by the CLI)."""

    __tablename__ = "user_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(StrEnumColumn(LinkPurpose, 8))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
