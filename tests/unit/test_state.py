"""The transaction lifecycle table (payments/state.py), walked pair by pair."""

from __future__ import annotations

import itertools

import pytest

from homerun.payments.state import (
    SETTLED_STATES,
    TRANSITIONS,
    Event,
    IllegalTransition,
    State,
    allowed,
    apply,
)

S, E = State, Event

# The lifecycle as the payments rules need it, written out independently of the table.
EXPECTED: dict[tuple[State, Event], State] = {
    # The processor answers a new attempt.
    (S.PENDING, E.APPROVE_AUTH): S.AUTHORIZED,
    (S.PENDING, E.APPROVE_SALE): S.CAPTURED,
    (S.PENDING, E.APPROVE_VERIFY): S.VERIFIED,
    (S.PENDING, E.DECLINE): S.DECLINED,
    (S.PENDING, E.TIME_OUT): S.UNKNOWN,
    # Reconciliation finds out what became of a lost answer.
    (S.UNKNOWN, E.APPROVE_AUTH): S.AUTHORIZED,
    (S.UNKNOWN, E.APPROVE_SALE): S.CAPTURED,
    (S.UNKNOWN, E.APPROVE_VERIFY): S.VERIFIED,
    (S.UNKNOWN, E.DECLINE): S.DECLINED,
    # An open authorization.
    (S.AUTHORIZED, E.CAPTURE): S.CAPTURED,
    (S.AUTHORIZED, E.VOID): S.VOIDED,
    (S.AUTHORIZED, E.PARTIAL_VOID): S.AUTHORIZED,
    (S.AUTHORIZED, E.EXPIRE): S.EXPIRED,
    # Captured, not yet settled.
    (S.CAPTURED, E.VOID): S.VOIDED,
    (S.CAPTURED, E.PARTIAL_VOID): S.CAPTURED,
    (S.CAPTURED, E.SETTLE): S.SETTLED,
    # Settled: refunds only.
    (S.SETTLED, E.REFUND_PART): S.PARTIALLY_REFUNDED,
    (S.SETTLED, E.REFUND_REST): S.REFUNDED,
    (S.PARTIALLY_REFUNDED, E.REFUND_PART): S.PARTIALLY_REFUNDED,
    (S.PARTIALLY_REFUNDED, E.REFUND_REST): S.REFUNDED,
}

ALL_PAIRS = list(itertools.product(State, Event))
LEGAL = [pair for pair in ALL_PAIRS if pair in EXPECTED]
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def _id(pair: tuple[State, Event]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def test_every_pair_is_walked() -> None:
    assert len(ALL_PAIRS) == len(State) * len(Event) == 14 * 15
    assert len(LEGAL) == 20 and len(LEGAL) + len(ILLEGAL) == len(ALL_PAIRS)


def test_the_table_is_exactly_the_lifecycle() -> None:
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize("pair", LEGAL, ids=_id)
def test_legal_move_reaches_its_target(pair: tuple[State, Event]) -> None:
    state, event = pair
    assert apply(state, event) is EXPECTED[pair]
    assert allowed(state, event) is True


@pytest.mark.parametrize("pair", ILLEGAL, ids=_id)
def test_illegal_move_raises(pair: tuple[State, Event]) -> None:
    state, event = pair
    assert allowed(state, event) is False
    with pytest.raises(IllegalTransition) as raised:
        apply(state, event)
    assert raised.value.state is state and raised.value.event is event
    assert str(raised.value) == f"{event.value} is not allowed on a {state.value} transaction"


@pytest.mark.parametrize(
    "state", [S.VOIDED, S.REFUNDED, S.DECLINED, S.EXPIRED, S.VERIFIED], ids=str
)
def test_final_states_accept_no_event(state: State) -> None:
    assert not any(allowed(state, event) for event in Event)


def test_pending_is_never_a_target() -> None:
    assert S.PENDING not in TRANSITIONS.values()


def test_every_card_state_but_pending_is_reachable_from_pending() -> None:
    seen, frontier = {S.PENDING}, [S.PENDING]
    while frontier:
        state = frontier.pop()
        for event in Event:
            if allowed(state, event) and (target := apply(state, event)) not in seen:
                seen.add(target)
                frontier.append(target)
    # The ACH-only states are the ACH table's (tests/unit/test_ach_state.py).
    assert seen == set(State) - {S.ACCEPTED, S.ORIGINATED, S.RETURNED}


def test_money_only_goes_back_after_settlement() -> None:
    refunds = {(s, e) for (s, e) in TRANSITIONS if e in (E.REFUND_PART, E.REFUND_REST)}
    assert {s for s, _ in refunds} == {S.SETTLED, S.PARTIALLY_REFUNDED}
    voids = {(s, e) for (s, e) in TRANSITIONS if e in (E.VOID, E.PARTIAL_VOID)}
    assert {s for s, _ in voids} == {S.AUTHORIZED, S.CAPTURED}


def test_settled_states() -> None:
    assert frozenset({S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED}) == SETTLED_STATES


def test_values_are_the_stored_strings() -> None:
    assert [s.value for s in State] == [
        "pending",
        "authorized",
        "captured",
        "verified",
        "voided",
        "settled",
        "partially_refunded",
        "refunded",
        "declined",
        "unknown",
        "expired",
        "accepted",
        "originated",
        "returned",
    ]
    assert State("captured") is S.CAPTURED and Event("refund_rest") is E.REFUND_REST
