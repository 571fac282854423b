"""Payments API credentials: a set per integration, secrets stored only as keyed hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.auth.state import SecretKind
from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn


class CredentialSet(Base):
    """One integration's credentials; the public_key is not a secret and is kept as is."""

    __tablename__ = "credential_sets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiSecret(Base):
    """An api_key or a refresh_token of a credential set."""

    __tablename__ = "api_secrets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    credential_set_id: Mapped[int] = mapped_column(ForeignKey("credential_sets.id"), index=True)
    kind: Mapped[SecretKind] = mapped_column(StrEnumColumn(SecretKind, 8))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
