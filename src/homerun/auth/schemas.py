from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    token: str | None = None
    refresh_token: str | None = None


class RefreshAnswer(BaseModel):
    api_key: str
    public_key: str
    refresh_token: str
    api_key_expires_at: int
    refresh_token_expires_at: int
