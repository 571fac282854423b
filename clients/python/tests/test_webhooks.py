"""runpayments.webhooks.verify on real deliveries from Homerun: genuine ones pass as typed
events; a changed body, a wrong secret and a stale timestamp are refused; during a secret
rotation the previous secret still verifies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import runpayments as rp
from live_homerun import LiveHomerun
from runpayments.webhooks import WebhookVerificationError, verify
from webhook_receiver import Delivery, Receiver

from conftest import Merchant, card

ENDPOINTS = "/homerun/v1/webhooks/endpoints"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as made:
        yield made


@pytest.fixture
def endpoint(
    homerun: LiveHomerun, merchant: Merchant, receiver: Receiver
) -> Iterator[dict[str, object]]:
    made = homerun.post(
        ENDPOINTS, {"mid": merchant.mid, "url": receiver.url, "event_types": ["transaction.*"]}
    )
    yield made
    homerun.admin.delete(f"{ENDPOINTS}/{made['id']}")


def charged_and_delivered(
    client: rp.RunClient, receiver: Receiver
) -> tuple[rp.Transaction, Delivery]:
    charged = client.payments.charge(card())
    return charged, receiver.next()


def test_a_real_delivery_verifies_as_a_typed_event(
    client: rp.RunClient, receiver: Receiver, endpoint: dict[str, str]
) -> None:
    charged, delivery = charged_and_delivered(client, receiver)
    event = verify(delivery.body, delivery.headers, endpoint["secret"])
    assert (event.event_type, event.family, event.source_id) == (
        "transaction.entered",
        "transaction",
        int(charged.trans_id or 0),
    )
    assert (event.payload["trans_id"], event.payload["mid"]) == (charged.trans_id, client.mid)
    assert event.metadata.attempt == 1
    payload = event.transaction
    assert payload is not None
    assert (payload.trans_id, payload.state, payload.result, payload.amount) == (
        charged.trans_id,
        "captured",
        "A",
        Decimal("10.00"),
    )
    assert event.metadata.idempotency_key == delivery.headers["X-Idempotency-Key"]
    assert event.timestamp.tzinfo is not None


def test_a_changed_body_or_a_wrong_secret_is_refused(
    client: rp.RunClient, receiver: Receiver, endpoint: dict[str, str]
) -> None:
    _, delivery = charged_and_delivered(client, receiver)
    changed = delivery.body.replace(b'"attempt":1', b'"attempt":2')
    assert changed != delivery.body
    with pytest.raises(WebhookVerificationError, match="no valid"):
        verify(changed, delivery.headers, endpoint["secret"])
    with pytest.raises(WebhookVerificationError, match="no valid"):
        verify(delivery.body, delivery.headers, "0" * 64)
    with pytest.raises(WebhookVerificationError, match="no valid"):
        verify(delivery.body, {}, endpoint["secret"])


def test_a_stale_timestamp_is_refused(
    client: rp.RunClient, receiver: Receiver, endpoint: dict[str, str]
) -> None:
    _, delivery = charged_and_delivered(client, receiver)
    event = verify(delivery.body, delivery.headers, endpoint["secret"])
    late = event.timestamp + dt.timedelta(hours=28, seconds=1)
    with pytest.raises(WebhookVerificationError, match="stale"):
        verify(delivery.body, delivery.headers, endpoint["secret"], now=late)
    with pytest.raises(WebhookVerificationError, match="stale"):
        verify(
            delivery.body,
            delivery.headers,
            endpoint["secret"],
            tolerance=dt.timedelta(minutes=5),
            now=event.timestamp + dt.timedelta(minutes=6),
        )


def test_the_previous_secret_verifies_during_a_rotation(
    homerun: LiveHomerun, client: rp.RunClient, receiver: Receiver, endpoint: dict[str, str]
) -> None:
    old = endpoint["secret"]
    new = homerun.post(f"{ENDPOINTS}/{endpoint['id']}/rotate-secret", {"overlap_seconds": 3600})[
        "secret"
    ]
    _, delivery = charged_and_delivered(client, receiver)
    assert "X-Webhook-Signature-256-Previous" in delivery.headers
    assert verify(delivery.body, delivery.headers, old).event_type == "transaction.entered"
    assert verify(delivery.body, delivery.headers, new).event_type == "transaction.entered"
    assert verify(delivery.body, delivery.headers, [new, old]).event_type == "transaction.entered"
    with pytest.raises(WebhookVerificationError):
        verify(delivery.body, delivery.headers, "f" * 64)
