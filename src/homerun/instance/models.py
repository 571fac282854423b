from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base


class InstanceValue(Base):
    """A named instance-wide value that must survive restarts and be shared by nodes."""

    __tablename__ = "instance_values"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
