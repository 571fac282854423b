"""The lifecycles of billing plans and scheduled payments, as tables.

Plan:    ACTIVE -> COMPLETED (its rule ended and every payment reached an end)
                -> CANCELLED (DELETE /billing_plans/{id}; irreversible)
                -> STOPPED   (its vault account was deleted, dunning gave up on an
                              open-ended plan, or an ACH payment of it was returned)
Payment: SCHEDULED -> COMPLETED | RETRYING | FAILED | CANCELLED
         RETRYING  -> COMPLETED | RETRYING | FAILED | CANCELLED
         COMPLETED -> RETURNED  (its ACH payment came back from the payer's bank)
A decline (or an outcome not known yet) moves a payment to RETRYING while the dunning
schedule has retries left, and to FAILED after the last one.
"""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    STOPPED = "STOPPED"


class PlanEvent(StrEnum):
    FINISH = "finish"
    CANCEL = "cancel"
    STOP = "stop"


class PaymentStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    RETRYING = "RETRYING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    RETURNED = "RETURNED"


class PaymentEvent(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"  # declined or unknown, and a retry is left
    GIVE_UP = "give_up"  # declined or unknown, and no retry is left
    CANCEL = "cancel"
    RETURN = "return"  # its ACH payment was returned


PLAN_TRANSITIONS: dict[tuple[PlanStatus, PlanEvent], PlanStatus] = {
    (PlanStatus.ACTIVE, PlanEvent.FINISH): PlanStatus.COMPLETED,
    (PlanStatus.ACTIVE, PlanEvent.CANCEL): PlanStatus.CANCELLED,
    (PlanStatus.ACTIVE, PlanEvent.STOP): PlanStatus.STOPPED,
}

_OPEN = (PaymentStatus.SCHEDULED, PaymentStatus.RETRYING)
PAYMENT_TRANSITIONS: dict[tuple[PaymentStatus, PaymentEvent], PaymentStatus] = {
    **{(s, PaymentEvent.APPROVE): PaymentStatus.COMPLETED for s in _OPEN},
    **{(s, PaymentEvent.DECLINE): PaymentStatus.RETRYING for s in _OPEN},
    **{(s, PaymentEvent.GIVE_UP): PaymentStatus.FAILED for s in _OPEN},
    **{(s, PaymentEvent.CANCEL): PaymentStatus.CANCELLED for s in _OPEN},
    (PaymentStatus.COMPLETED, PaymentEvent.RETURN): PaymentStatus.RETURNED,
}
OPEN_PAYMENT_STATUSES = tuple(s.value for s in _OPEN)


class IllegalTransition(Exception):
    pass


def plan_after(status: PlanStatus, event: PlanEvent) -> PlanStatus:
    try:
        return PLAN_TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(f"a {status} plan cannot {event}") from None


def payment_after(status: PaymentStatus, event: PaymentEvent) -> PaymentStatus:
    try:
        return PAYMENT_TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(f"a {status} payment cannot {event}") from None
