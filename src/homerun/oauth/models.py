"""OAuth clients, their secrets (keyed hashes only) and the merchants a client may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.oauth.state import Audience


class OAuthClient(Base):
    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    audience: Mapped[Audience] = mapped_column(StrEnumColumn(Audience, 16))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OAuthClientSecret(Base):
    """One of a client's secrets; after a rotation the old one lives until `expires_at`."""

    __tablename__ = "oauth_client_secrets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OAuthClientMerchant(Base):
    """A reporting client sees exactly the merchants bound to it."""

    __tablename__ = "oauth_client_merchants"

    client_pk: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id"), primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
