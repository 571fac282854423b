"""The retry schedule (ruling R13): 8 attempts in all, the last 27 hours after the first.

Attempt n of a round falls due at a fixed offset from the moment the round's first
attempt was made, whatever the earlier attempts took or however late a worker ran
them; so the schedule under the sandbox clock is exact, and a worker that was down
catches up rather than stretching the schedule.

    attempt   1    2      3      4       5      6      7       8
    offset    0    1 min  5 min  30 min  2 h    6 h    14 h    27 h
    gap       -    1 min  4 min  25 min  1.5 h  4 h    8 h     13 h
"""

from __future__ import annotations

from datetime import datetime, timedelta

ATTEMPTS = 8

OFFSETS: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=14),
    timedelta(hours=27),
)
assert len(OFFSETS) == ATTEMPTS


def next_attempt(round_started_at: datetime, made_in_round: int) -> datetime | None:
    """When the next attempt falls due after `made_in_round` attempts of a round
    failed; None when the round has used all its attempts (the delivery fails)."""
    if made_in_round >= ATTEMPTS:
        return None
    return round_started_at + OFFSETS[made_in_round]
