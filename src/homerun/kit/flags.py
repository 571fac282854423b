"""Flags in every form clients send (ruling R4)."""

from __future__ import annotations

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


def yn(value: bool) -> str:
    return "Y" if value else "N"
