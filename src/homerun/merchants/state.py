"""What a merchant can be: taking payments, or turned off by an operator."""

from __future__ import annotations

from enum import StrEnum


class MerchantStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # charges refused with codes.MERCHANT_DISABLED
