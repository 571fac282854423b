"""The instance clock: real time in live mode, a movable time in the sandbox.

Nothing in Homerun calls datetime.now() directly; it asks the clock, which is
what makes the sandbox clock and exact tests possible.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time plus an offset that only the sandbox moves forward."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def wall(self) -> datetime:
        """Real time, which sandbox moves never change: for what people live through
        (sign-in sessions, TOTP codes, lock-outs), not for what payments do."""
        return datetime.now(UTC)

    @property
    def offset(self) -> timedelta:
        return self._offset

    def sync(self, offset: timedelta) -> bool:
        """Adopt an offset another process stored; an older one is ignored. True if moved."""
        if offset <= self._offset:
            return False
        self._offset = offset
        return True

    def offset_for(self, moment: datetime) -> timedelta:
        """The offset that makes now() read `moment` (never less than the current one)."""
        return max(self._offset, moment - datetime.now(UTC))


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def unix_seconds(value: datetime) -> int:
    return int(as_utc(value).timestamp())
