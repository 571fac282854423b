"""Data keys: the AES keys that encrypt card numbers (one per merchant) and the instance's
own sealed secrets, each stored only wrapped by a master key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime


class DataKey(Base):
    """One version of a data key.

    - `scope`: "instance" or "merchant:<id>"; the wrapped key is bound to it (and to the
      version) as AES-GCM associated data, so a row copied to another scope does not open.
    - `master_key_id`: which master key wrapped it (kit.crypto.key_id); a rotation
      re-wraps the row under the current master key and changes this, nothing else.
    """

    __tablename__ = "data_keys"
    __table_args__ = (UniqueConstraint("scope", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(40))
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    master_key_id: Mapped[str] = mapped_column(String(16), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rewrapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
