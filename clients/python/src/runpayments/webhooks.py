"""Verify a webhook from Run or Homerun and read it as a typed event.

    event = runpayments.webhooks.verify(request_body, request_headers, secret)

The signature is `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed
with the endpoint secret (ruling R13). During a secret rotation Homerun also signs with the
previous secret in `X-Webhook-Signature-256-Previous`; a receiver may hold either secret, or
both (pass a list). Every comparison is constant-time.

`timestamp` is when the event happened, and a failed delivery is retried for up to 27 hours
with the same timestamp, so the default tolerance is 28 hours: tighter would refuse
legitimate retries. Deduplicate on `event.metadata.idempotency_key` to drop replays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ._amounts import Dollars
from .errors import RunPaymentsError

SIGNATURE = "x-webhook-signature-256"
PREVIOUS_SIGNATURE = "x-webhook-signature-256-previous"
IDEMPOTENCY_KEY = "x-idempotency-key"
DEFAULT_TOLERANCE = dt.timedelta(hours=28)
FUTURE_SKEW = dt.timedelta(minutes=5)


class WebhookVerificationError(RunPaymentsError):
    """The request is not a genuine, fresh webhook: answer it with 400 or 401."""


class WebhookMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    webhook_id: str
    attempt: int
    idempotency_key: str


class TransactionPayload(BaseModel):
    """The payload of a `transaction.*` event; amounts are Decimal dollars."""

    model_config = ConfigDict(extra="allow", frozen=True)

    trans_id: str
    mid: str
    trans_type: str
    state: str
    result: str
    resp_code: str
    resp_text: str
    amount: Dollars | None = None
    fee_amount: Dollars | None = None
    currency: str | None = None
    order_id: str | None = None
    invoice_id: str | None = None
    card_brand: str | None = None
    card_number: str | None = None
    original_trans_id: str | None = None
    reversed_amount: Dollars | None = None
    reversed_fee_amount: Dollars | None = None


class WebhookEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    event_type: str
    source_id: int | str
    timestamp: dt.datetime
    payload: dict[str, Any]
    metadata: WebhookMetadata

    @property
    def family(self) -> str:
        """`transaction`, `chargeback`, `funding` or `merchant`."""
        return self.event_type.split(".", 1)[0]

    @property
    def transaction(self) -> TransactionPayload | None:
        """The typed payload of a `transaction.*` event (None for other families)."""
        if self.family != "transaction":
            return None
        return TransactionPayload.model_validate(self.payload)


def _signed(payload: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("ascii"), payload, hashlib.sha256).hexdigest()


def signature_matches(payload: bytes, headers: Mapping[str, str], secrets: Sequence[str]) -> bool:
    lower = {name.lower(): value for name, value in headers.items()}
    offered = [lower.get(SIGNATURE, ""), lower.get(PREVIOUS_SIGNATURE, "")]
    matched = False
    for secret in secrets:
        expected = _signed(payload, secret).encode()
        for value in offered:
            # No short cut: every pair is compared, so timing says nothing about which one.
            matched |= bool(value) and hmac.compare_digest(expected, value.encode())
    return matched


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    *,
    tolerance: dt.timedelta = DEFAULT_TOLERANCE,
    now: dt.datetime | None = None,
) -> WebhookEvent:
    """The event, if the body is signed by `secret` (or one of several) and is fresh."""
    body = payload.encode("utf-8") if isinstance(payload, str) else payload
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not signature_matches(body, headers, secrets):
        raise WebhookVerificationError("no valid X-Webhook-Signature-256")
    try:
        event = WebhookEvent.model_validate_json(body)
    except ValidationError as error:
        raise WebhookVerificationError(f"not a webhook envelope: {error}") from None
    moment = now or dt.datetime.now(dt.UTC)
    if event.timestamp < moment - tolerance or event.timestamp > moment + FUTURE_SKEW:
        raise WebhookVerificationError(f"stale timestamp {event.timestamp.isoformat()}")
    key = {name.lower(): value for name, value in headers.items()}.get(IDEMPOTENCY_KEY)
    if key is not None and key != event.metadata.idempotency_key:
        raise WebhookVerificationError("X-Idempotency-Key differs from the envelope's")
    return event
