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
    # ACH (ACH_TRANSITIONS below): accepted for origination, sent to the bank in the
    # merchant's batch, then settled a banking day later, or returned by the payer's bank.
    ACCEPTED = "accepted"
    ORIGINATED = "originated"
    RETURNED = "returned"


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
    State.ACCEPTED: "Pending",
    State.ORIGINATED: "Pending",
    State.RETURNED: "Returned",
}


class PaymentMethod(StrEnum):
    """What a transaction moved money from: a card, or a bank account by ACH."""

    CARD = "card"
    ACH = "ach"


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
    # ACH only.
    ACCEPT = "accept"
    ORIGINATE = "originate"
    RETURN = "return"


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


# The ACH lifecycle (ruling R15, docs/ach.md): a table of its own over the same states, so
# that no card move ever applies to a bank payment or the reverse. A void is allowed until
# the payment is originated; a refund (an ACH credit, a row of its own that goes the same
# way from `accepted`) only once it settled; the payer's bank may return it once it left.
ACH_TRANSITIONS: dict[tuple[State, Event], State] = {
    (S.PENDING, E.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, E.VOID): S.VOIDED,
    (S.ACCEPTED, E.ORIGINATE): S.ORIGINATED,
    (S.ORIGINATED, E.SETTLE): S.SETTLED,
    (S.ORIGINATED, E.RETURN): S.RETURNED,
    (S.SETTLED, E.RETURN): S.RETURNED,
    (S.PARTIALLY_REFUNDED, E.RETURN): S.RETURNED,
    (S.REFUNDED, E.RETURN): S.RETURNED,
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


def apply_ach(state: State, event: Event) -> State:
    try:
        return ACH_TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


SETTLED_STATES = frozenset({S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED})
