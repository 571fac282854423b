"""The rules of charge, capture, void and refund: the payments package's service.

Split by responsibility: payments.charging (a new charge), payments.card_source (what
a charge charges, and the gateway's checks of it), payments.changes (capture, void or
refund, reconciliation) and payments.outcomes (what they answer, and the rules they
share). Callers use this module.
"""

from __future__ import annotations

from homerun.payments.changes import capture, reconcile, void_or_refund
from homerun.payments.charging import charge
from homerun.payments.outcomes import Refusal, Reversal, processor_reference, require_own_mid

__all__ = [
    "Refusal",
    "Reversal",
    "capture",
    "charge",
    "processor_reference",
    "reconcile",
    "require_own_mid",
    "void_or_refund",
]
