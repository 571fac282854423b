"""The application lifecycle table: every (status, event) pair, legal and illegal."""

from __future__ import annotations

import itertools

import pytest

from homerun.boarding import state
from homerun.boarding.state import Event, Status

S, E = Status, Event

# What the lifecycle must allow, written out independently of the table.
EXPECTED: dict[tuple[Status, Event], Status] = {
    (S.NEW, E.SEND_FOR_SIGNATURE): S.SENT_FOR_SIGNATURE,
    (S.SENT_FOR_SIGNATURE, E.SIGN): S.SIGNED,
    (S.SIGNED, E.SUBMIT): S.IN_UNDERWRITING,
    (S.IN_UNDERWRITING, E.APPROVE): S.BOARDED,
    (S.IN_UNDERWRITING, E.DECLINE): S.DECLINED,
    (S.BOARDED, E.GO_LIVE): S.LIVE,
    (S.NEW, E.CANCEL): S.CANCELLED,
    (S.SENT_FOR_SIGNATURE, E.CANCEL): S.CANCELLED,
    (S.SIGNED, E.CANCEL): S.CANCELLED,
    (S.IN_UNDERWRITING, E.CANCEL): S.CANCELLED,
    (S.NEW, E.DELETE): S.DELETED,
    (S.SENT_FOR_SIGNATURE, E.DELETE): S.DELETED,
    (S.CANCELLED, E.DELETE): S.DELETED,
    (S.DECLINED, E.DELETE): S.DELETED,
}


@pytest.mark.parametrize(
    ("status", "event"), list(itertools.product(Status, Event)), ids=lambda x: str(x.value)
)
def test_every_pair(status: Status, event: Event) -> None:
    expected = EXPECTED.get((status, event))
    assert state.allowed(status, event) is (expected is not None)
    if expected is None:
        with pytest.raises(state.IllegalTransition) as raised:
            state.apply(status, event)
        assert raised.value.status is status and raised.value.event is event
        assert status.value in str(raised.value) and event.value in str(raised.value)
    else:
        assert state.apply(status, event) is expected


def test_the_table_is_exactly_the_expected_moves() -> None:
    assert state.TRANSITIONS == EXPECTED


def test_happy_path_reaches_live_in_order() -> None:
    status = S.NEW
    path = [status]
    for event in (E.SEND_FOR_SIGNATURE, E.SIGN, E.SUBMIT, E.APPROVE, E.GO_LIVE):
        status = state.apply(status, event)
        path.append(status)
    assert [s.value for s in path] == [
        "new",
        "sent_for_signature",
        "signed",
        "in_underwriting",
        "boarded",
        "live",
    ]


def test_live_and_deleted_are_final() -> None:
    for status in (S.LIVE, S.DELETED):
        assert not any(state.allowed(status, event) for event in Event)


def test_status_ids_are_run_s_and_unique() -> None:
    assert state.STATUS_IDS[S.NEW] == 1
    assert state.STATUS_IDS[S.SENT_FOR_SIGNATURE] == 2
    assert state.STATUS_IDS[S.SIGNED] == 3
    assert set(state.STATUS_IDS) == set(Status)
    assert len(set(state.STATUS_IDS.values())) == len(Status)
    assert 9 not in state.STATUS_IDS.values()  # reserved for merchant.unknown
    assert {s: state.STATUS_BY_ID[n] for s, n in state.STATUS_IDS.items()} == {s: s for s in S}


def test_every_status_has_its_spec_event_type() -> None:
    spec_events = {
        "merchant.new",
        "merchant.sent_for_signature",
        "merchant.signed",
        "merchant.in_underwriting",
        "merchant.boarded",
        "merchant.live",
        "merchant.cancelled",
        "merchant.declined",
        "merchant.deleted",
    }
    assert {state.event_type(s) for s in Status} == spec_events
