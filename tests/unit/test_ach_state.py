"""The ACH lifecycle table (payments/state.py ACH_TRANSITIONS), walked pair by pair."""

from __future__ import annotations

import itertools

import pytest

from homerun.payments.state import (
    ACH_TRANSITIONS,
    TRANSITIONS,
    Event,
    IllegalTransition,
    State,
    apply_ach,
)

S, E = State, Event

# Ruling R15, written out independently of the table: accepted, originated at the cut-off,
# settled a banking day later; void until originated; refunds (credits) only once settled;
# the payer's bank may return a payment once it has left.
EXPECTED: dict[tuple[State, Event], State] = {
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

ALL_PAIRS = list(itertools.product(State, Event))
LEGAL = [pair for pair in ALL_PAIRS if pair in EXPECTED]
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def _id(pair: tuple[State, Event]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def test_the_table_is_exactly_the_lifecycle() -> None:
    assert ACH_TRANSITIONS == EXPECTED
    assert len(LEGAL) == 12 and len(LEGAL) + len(ILLEGAL) == 14 * 15


@pytest.mark.parametrize("pair", LEGAL, ids=_id)
def test_legal_move_reaches_its_target(pair: tuple[State, Event]) -> None:
    assert apply_ach(*pair) is EXPECTED[pair]
    assert pair in ACH_TRANSITIONS


@pytest.mark.parametrize("pair", ILLEGAL, ids=_id)
def test_illegal_move_raises(pair: tuple[State, Event]) -> None:
    state, event = pair
    with pytest.raises(IllegalTransition) as raised:
        apply_ach(state, event)
    assert (raised.value.state, raised.value.event) == (state, event)


def test_no_card_move_reaches_an_ach_state_and_no_card_only_event_is_ach() -> None:
    ach_only = {S.ACCEPTED, S.ORIGINATED, S.RETURNED}
    assert not ach_only & ({s for s, _ in TRANSITIONS} | set(TRANSITIONS.values()))
    card_only = {E.APPROVE_AUTH, E.APPROVE_SALE, E.APPROVE_VERIFY, E.CAPTURE, E.PARTIAL_VOID}
    assert not card_only & {e for _, e in ACH_TRANSITIONS}


def test_void_only_before_origination_refunds_only_after_settlement() -> None:
    assert {s for s, e in ACH_TRANSITIONS if e is E.VOID} == {S.ACCEPTED}
    refunds = {s for s, e in ACH_TRANSITIONS if e in (E.REFUND_PART, E.REFUND_REST)}
    assert refunds == {S.SETTLED, S.PARTIALLY_REFUNDED}


@pytest.mark.parametrize("state", [S.VOIDED, S.RETURNED], ids=str)
def test_final_states_accept_no_event(state: State) -> None:
    assert not any((state, event) in ACH_TRANSITIONS for event in Event)


def test_every_ach_state_is_reachable_from_pending() -> None:
    seen, frontier = {S.PENDING}, [S.PENDING]
    while frontier:
        state = frontier.pop()
        for event in Event:
            if (state, event) in ACH_TRANSITIONS and (
                target := apply_ach(state, event)
            ) not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == {
        S.PENDING,
        S.ACCEPTED,
        S.VOIDED,
        S.ORIGINATED,
        S.SETTLED,
        S.PARTIALLY_REFUNDED,
        S.REFUNDED,
        S.RETURNED,
    }
