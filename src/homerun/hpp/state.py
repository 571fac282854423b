"""What a hosted page can be: taking payments, or not (disabled by the merchant, or paid)."""

from __future__ import annotations

from enum import StrEnum


class PageStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # disabled_reason says why ("paid" for a single-use page)
