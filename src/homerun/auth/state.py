"""The two secrets of a credential set (ruling R2)."""

from __future__ import annotations

from enum import StrEnum


class SecretKind(StrEnum):
    API = "api"  # the api_key, short-lived
    REFRESH = "refresh"  # the refresh_token, which rotates the pair
