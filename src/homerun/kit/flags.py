"""Flags in every form clients send (ruling R4)."""

from __future__ import annotations

from typing import overload

_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f", ""}


class FlagError(ValueError):
    pass


def parse_flag(value: object) -> bool:
    """Accept Y/N, y/n, true/false (string or JSON), 1/0 (string or JSON)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise FlagError('must be a flag: "Y"/"N", true/false, or 1/0')


@overload
def yn(value: bool) -> str: ...
@overload
def yn(value: bool | None) -> str | None: ...
def yn(value: bool | None) -> str | None:
    """A flag as the wire writes it: "Y" or "N" (None stays None: not sent)."""
    return None if value is None else ("Y" if value else "N")
