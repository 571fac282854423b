"""Wire shapes of /homerun/v1/webhooks: endpoints, secrets, deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from homerun.kit.clock import as_utc
from homerun.kit.flags import parse_flag
from homerun.webhooks.models import WebhookDelivery, WebhookEndpoint

Flag = Annotated[bool, BeforeValidator(parse_flag)]
EventPattern = Annotated[str, Field(min_length=1, max_length=64)]


class EndpointCreate(BaseModel):
    """A webhook endpoint for one merchant (`mid`) or one boarding partner (`partner_id`)."""

    model_config = ConfigDict(extra="ignore")

    mid: str | None = Field(default=None, pattern=r"^\d{12}$", description="The merchant's MID")
    partner_id: int | None = Field(default=None, ge=1, le=2**62, description="A boarding partner")
    url: str = Field(min_length=1, max_length=2048, description="http or https URL")
    event_types: list[EventPattern] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        max_length=64,
        description='Names, families ("transaction.*") or "*" for every event',
    )
    enabled: Flag = True
    description: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_owner(self) -> EndpointCreate:
        if (self.mid is None) == (self.partner_id is None):
            raise ValueError("send exactly one of mid (a merchant) or partner_id (a partner)")
        return self


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    event_types: list[EventPattern] | None = Field(default=None, min_length=1, max_length=64)
    enabled: Flag | None = None
    description: str | None = Field(default=None, max_length=200)


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    overlap_seconds: int | None = Field(
        default=None,
        ge=0,
        le=30 * 86400,
        description="How long the previous secret keeps signing (default: the setting)",
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


class EndpointOut(BaseModel):
    id: int
    mid: str | None
    partner_id: int | None
    url: str
    event_types: list[str]
    enabled: bool
    description: str | None
    secret_last4: str = Field(description="The last four characters of the current secret")
    previous_secret_expires_at: str | None = Field(
        description="Until when the previous secret also signs (None: it no longer does)"
    )
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, ep: WebhookEndpoint, mid: str | None, now: datetime) -> EndpointOut:
        overlap = ep.previous_secret_expires_at
        return cls(
            id=ep.id,
            mid=mid,
            partner_id=ep.partner_id,
            url=ep.url,
            event_types=list(ep.event_types),
            enabled=ep.enabled,
            description=ep.description,
            secret_last4=ep.secret_last4,
            previous_secret_expires_at=_iso(overlap) if overlap and as_utc(overlap) > now else None,
            created_at=as_utc(ep.created_at).isoformat(),
            updated_at=as_utc(ep.updated_at).isoformat(),
        )


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="The signing secret: 64 hex characters, shown only now")


class EndpointList(BaseModel):
    items: list[EndpointOut]


class DeliveryOut(BaseModel):
    id: int = Field(description="For paging (after_id)")
    webhook_id: str
    idempotency_key: str
    endpoint_id: int
    event_id: int
    event_type: str
    state: str
    attempts: int
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    last_response: str | None
    last_duration_ms: int | None
    occurred_at: str
    delivered_at: str | None
    failed_at: str | None
    created_at: str

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=d.id,
            webhook_id=d.webhook_id,
            idempotency_key=d.idempotency_key,
            endpoint_id=d.endpoint_id,
            event_id=d.event_id,
            event_type=d.event_type,
            state=d.state,
            attempts=d.attempts,
            next_attempt_at=_iso(d.next_attempt_at) if d.state == "pending" else None,
            last_attempt_at=_iso(d.last_attempt_at),
            last_status=d.last_status,
            last_error=d.last_error,
            last_response=d.last_response,
            last_duration_ms=d.last_duration_ms,
            occurred_at=as_utc(d.occurred_at).isoformat(),
            delivered_at=_iso(d.delivered_at),
            failed_at=_iso(d.failed_at),
            created_at=as_utc(d.created_at).isoformat(),
        )


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_after_id: int | None = Field(description="after_id for the next page; None at the end")


class Resent(BaseModel):
    endpoint_id: int
    resent: int


class EventTypeOut(BaseModel):
    event_type: str
    audience: str = Field(description="merchant: merchant and partner endpoints; partner: only")
    origin: str = Field(description="run: on Run's list; homerun: Homerun's addition")
    emitted: bool = Field(description="False: on Run's list but never produced by Homerun")
    meaning: str


class EventTypeList(BaseModel):
    items: list[EventTypeOut]


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
