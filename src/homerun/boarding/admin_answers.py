"""Answer shapes of /homerun/v1/boarding (the administration), for the OpenAPI document.

The routes build these bodies as dicts; the models say what they hold.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from homerun.boarding.schemas import MerchantDetail


class PartnerOut(BaseModel):
    partner_id: int
    name: str
    parent_partner_id: int | None = Field(description="The partner above it, if any")
    signature_delay_seconds: int = Field(description="Sandbox clock: sending to signature")
    underwriting_delay_seconds: int = Field(description="Sandbox clock: submission to decision")
    go_live_delay_seconds: int | None = Field(
        description="Sandbox clock: boarding to live; null when going live is left to you"
    )
    created_at: str = Field(description="ISO-8601 UTC")
    updated_at: str = Field(description="ISO-8601 UTC")


class PartnerClientOut(BaseModel):
    client_id: str
    audience: str = Field(description='"boarding" or "reporting"')
    name: str
    partner_id: int
    created_at: str = Field(description="ISO-8601 UTC")
    revoked_at: str | None = Field(description="ISO-8601 UTC, null while the client works")
    client_secret: str | None = Field(
        default=None,
        description="Shown once, when the client is made here; absent when an existing "
        "client is bound to the partner",
    )


class AdminMerchantDetail(MerchantDetail):
    partner_id: int
    next_step_at: str | None = Field(
        description="When the sandbox clock takes the next step (ISO-8601 UTC), if it will"
    )
