"""The transaction lifecycle as a table: TRANSITIONS[(state, event)] -> state.

Anything not in the table is an illegal move; callers answer it with a PPS
code (ruling R5) instead of changing anything.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    PENDING = "pending"  # persisted, processor not yet answered
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    VERIFIED = "verified"  # an approved $0 verification
    VOIDED = "voided"
    SETTLED = "settled"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    DECLINED = "declined"
    UNKNOWN = "unknown"  # the processor never answered; reconciled later
    EXPIRED = "expired"  # an authorization never captured in time


class Kind(StrEnum):
    SALE = "sale"
    AUTH = "auth"  # an authorization, captured later or never
    VERIFY = "verify"  # a $0 verification
    REFUND = "refund"


class Result(StrEnum):
    """The wire's `result`: approved, retry (the outcome is not known), declined."""

    APPROVED = "A"
    RETRY = "B"
    DECLINED = "C"


# A transaction's state as the wire's settlement_status names it: the one table, for the
# Payments API's answers and the Reporting API alike. "Pending" is captured money waiting for
# its batch (docs/api-differences.md); a `pending` attempt's processor has not answered, so
# its outcome is unknown until reconciliation asks, as for a timed-out `unknown` one.
SETTLEMENT_STATUS: dict[State, str] = {
    State.PENDING: "Unknown",
    State.AUTHORIZED: "Authorized",
    State.CAPTURED: "Pending",
    State.VERIFIED: "Verified",
    State.VOIDED: "Voided",
    State.SETTLED: "Settled",
    State.PARTIALLY_REFUNDED: "Settled",
    State.REFUNDED: "Settled",
    State.DECLINED: "Declined",
    State.UNKNOWN: "Unknown",
    State.EXPIRED: "Expired",
}


class Event(StrEnum):
    APPROVE_AUTH = "approve_auth"
    APPROVE_SALE = "approve_sale"
    APPROVE_VERIFY = "approve_verify"
    DECLINE = "decline"
    TIME_OUT = "time_out"
    CAPTURE = "capture"
    VOID = "void"
    PARTIAL_VOID = "partial_void"
    SETTLE = "settle"
    REFUND_PART = "refund_part"
    REFUND_REST = "refund_rest"
    EXPIRE = "expire"


S, E = State, Event

TRANSITIONS: dict[tuple[State, Event], State] = {
    (S.PENDING, E.APPROVE_AUTH): S.AUTHORIZED,
    (S.PENDING, E.APPROVE_SALE): S.CAPTURED,
    (S.PENDING, E.APPROVE_VERIFY): S.VERIFIED,
    (S.PENDING, E.DECLINE): S.DECLINED,
    (S.PENDING, E.TIME_OUT): S.UNKNOWN,
    # Reconciliation of a lost answer.
    (S.UNKNOWN, E.APPROVE_AUTH): S.AUTHORIZED,
    (S.UNKNOWN, E.APPROVE_SALE): S.CAPTURED,
    (S.UNKNOWN, E.APPROVE_VERIFY): S.VERIFIED,
    (S.UNKNOWN, E.DECLINE): S.DECLINED,
    (S.AUTHORIZED, E.CAPTURE): S.CAPTURED,
    (S.AUTHORIZED, E.VOID): S.VOIDED,
    (S.AUTHORIZED, E.PARTIAL_VOID): S.AUTHORIZED,
    (S.AUTHORIZED, E.EXPIRE): S.EXPIRED,
    (S.CAPTURED, E.VOID): S.VOIDED,
    (S.CAPTURED, E.PARTIAL_VOID): S.CAPTURED,
    (S.CAPTURED, E.SETTLE): S.SETTLED,
    (S.SETTLED, E.REFUND_PART): S.PARTIALLY_REFUNDED,
    (S.SETTLED, E.REFUND_REST): S.REFUNDED,
    (S.PARTIALLY_REFUNDED, E.REFUND_PART): S.PARTIALLY_REFUNDED,
    (S.PARTIALLY_REFUNDED, E.REFUND_REST): S.REFUNDED,
}


class IllegalTransition(Exception):
    def __init__(self, state: State, event: Event) -> None:
        super().__init__(f"{event.value} is not allowed on a {state.value} transaction")
        self.state = state
        self.event = event


def apply(state: State, event: Event) -> State:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def allowed(state: State, event: Event) -> bool:
    return (state, event) in TRANSITIONS


SETTLED_STATES = frozenset({S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED})
