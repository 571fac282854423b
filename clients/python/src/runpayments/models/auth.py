"""Credential answers: the Payments API key refresh and the OAuth token."""

from __future__ import annotations

from ._base import Answer


class RefreshedKeys(Answer):
    """POST /api/v1/api_keys/refresh: both secrets rotate; expiries are Unix seconds."""

    api_key: str
    public_key: str
    refresh_token: str
    api_key_expires_at: int
    refresh_token_expires_at: int


class AccessToken(Answer):
    access_token: str
    token_type: str
    expires_in: int
    scope: str | None = None
