"""The wire form of a webhook: the envelope, its exact bytes, and their signatures.

Run's recipe (spec §10): `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256 of the raw
body>`, keyed with the endpoint's secret, a 64-character hex string used as it is
(its ASCII bytes are the key). After a rotation the newest secret signs that header
and, until the overlap ends, the previous secret signs the same bytes in
`X-Webhook-Signature-256-Previous`; a receiver still holding the old secret checks
that header instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

import orjson

from homerun.webhooks.catalogue import is_boarding

SIGNATURE_HEADER = "X-Webhook-Signature-256"
PREVIOUS_SIGNATURE_HEADER = "X-Webhook-Signature-256-Previous"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"
PREFIX = "sha256="


def new_secret() -> str:
    """A signing secret: 256 random bits as 64 lower-case hex characters."""
    return secrets.token_hex(32)


def new_webhook_id() -> str:
    return f"wh_{secrets.token_hex(8)}"


def new_idempotency_key() -> str:
    return secrets.token_hex(20)


def signature(secret: str, body: bytes) -> str:
    """The header value: sha256=<hex HMAC-SHA256 of body under the secret's bytes>."""
    return PREFIX + hmac.new(secret.encode("ascii"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Run's receiver recipe: recompute over the raw body and compare in constant time."""
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(signature(secret, body), header.strip())


def wire_source_id(event_type: str, source_id: str) -> int | str:
    """A number for payment and chargeback events (as Run's overview example shows),
    a string for boarding events (as Run's boarding examples show) and for ids that
    are not numbers (funding_master_id "F1645093")."""
    if not is_boarding(event_type) and source_id.isascii() and source_id.isdigit():
        return int(source_id)
    return source_id


def wire_timestamp(moment: datetime) -> str:
    """2024-01-15T10:30:00.000Z, as in Run's examples."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def envelope(
    *,
    event_type: str,
    source_id: str,
    occurred_at: datetime,
    payload: dict[str, Any],
    webhook_id: str,
    attempt: int,
    idempotency_key: str,
) -> bytes:
    """The exact bytes sent (and signed) for one attempt."""
    return orjson.dumps(
        {
            "event_type": event_type,
            "source_id": wire_source_id(event_type, source_id),
            "timestamp": wire_timestamp(occurred_at),
            "payload": payload,
            "metadata": {
                "webhook_id": webhook_id,
                "attempt": attempt,
                "idempotency_key": idempotency_key,
            },
        }
    )
