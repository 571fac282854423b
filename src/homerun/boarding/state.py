"""The merchant application lifecycle as a table: TRANSITIONS[(status, event)] -> status.

new -> sent_for_signature -> signed -> in_underwriting -> boarded -> live, or to declined,
cancelled or deleted. Anything not in the table is an illegal move (409 on /homerun/v1).
The integer ids are the webhook `merchant_status_id`s: 1-3 are Run's documented values,
the rest follow the order of Run's boarding event list (9, `unknown`, is never produced).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    SENT_FOR_SIGNATURE = "sent_for_signature"
    SIGNED = "signed"
    IN_UNDERWRITING = "in_underwriting"
    BOARDED = "boarded"
    LIVE = "live"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    DELETED = "deleted"


class Event(StrEnum):
    SEND_FOR_SIGNATURE = "send_for_signature"
    SIGN = "sign"
    SUBMIT = "submit"  # a signed application goes to underwriting
    APPROVE = "approve"
    DECLINE = "decline"
    GO_LIVE = "go_live"
    CANCEL = "cancel"
    DELETE = "delete"


STATUS_IDS: dict[Status, int] = {
    Status.NEW: 1,
    Status.SENT_FOR_SIGNATURE: 2,
    Status.SIGNED: 3,
    Status.IN_UNDERWRITING: 4,
    Status.BOARDED: 5,
    Status.LIVE: 6,
    Status.CANCELLED: 7,
    Status.DECLINED: 8,
    Status.DELETED: 10,
}
STATUS_BY_ID: dict[int, Status] = {number: status for status, number in STATUS_IDS.items()}

S, E = Status, Event

_WITHDRAWABLE = (S.NEW, S.SENT_FOR_SIGNATURE, S.SIGNED, S.IN_UNDERWRITING)
_DELETABLE = (S.NEW, S.SENT_FOR_SIGNATURE, S.CANCELLED, S.DECLINED)

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (S.NEW, E.SEND_FOR_SIGNATURE): S.SENT_FOR_SIGNATURE,
    (S.SENT_FOR_SIGNATURE, E.SIGN): S.SIGNED,
    (S.SIGNED, E.SUBMIT): S.IN_UNDERWRITING,
    (S.IN_UNDERWRITING, E.APPROVE): S.BOARDED,
    (S.IN_UNDERWRITING, E.DECLINE): S.DECLINED,
    (S.BOARDED, E.GO_LIVE): S.LIVE,
    **{(status, E.CANCEL): S.CANCELLED for status in _WITHDRAWABLE},
    **{(status, E.DELETE): S.DELETED for status in _DELETABLE},
}


class IllegalTransition(Exception):
    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(f"{event.value} is not allowed on a merchant that is {status.value}")
        self.status = status
        self.event = event


def apply(status: Status, event: Event) -> Status:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(status, event) from None


def allowed(status: Status, event: Event) -> bool:
    return (status, event) in TRANSITIONS


def event_type(status: Status) -> str:
    """The webhook event announcing that a merchant reached `status` (spec §10)."""
    return f"merchant.{status.value}"
