"""Which API an OAuth client's tokens open (ruling R10)."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    REPORTING = "reporting"
    BOARDING = "boarding"
