"""The Developers page: keys created, rolled and revoked through auth's own functions, the
Runner.js snippet, and webhook deliveries re-sent through webhooks' own function."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import deliver_due
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge
from tests.people.support import make_user
from tests.webhooks.receiver import Receiver, always
from tests.webhooks.support import Hooks, advance, deliveries, delivery

PAGE = "/dashboard/developers"
NEW_KEY = re.compile(r'<code id="new-api-key">(sk_test_[^<]+)</code>')


async def _owner(
    runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess, role: Role = Role.OWNER
) -> Visitor:
    user = await make_user(runtime, role, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def can_charge(client: httpx.AsyncClient, m: MerchantAccess, api_key: str) -> bool:
    body = {"mid": m.mid, "amount": 100, "account_token": "4111111111111111", "expiration": "1230"}
    answer = await client.post(
        "/api/v1/charge", json=body, headers={"Authorization": f"Bearer {api_key}"}
    )
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


async def _keys(client: httpx.AsyncClient, m: MerchantAccess) -> list[tuple[int, bool]]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/credentials", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return [(k["credential_id"], k["revoked_at"] is None) for k in answer.json()]


def _new_key(html: str) -> str:
    found = NEW_KEY.search(html)
    assert found is not None, html
    return found.group(1)


async def test_keys_are_created_rolled_with_a_grace_and_revoked(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    page = await v.get(PAGE)
    assert page.status_code == 200
    assert f"<code>{merchant.public_key}</code>" in page.text
    assert f"publicKey: &#39;{merchant.public_key}&#39;" in page.text
    assert "http://127.0.0.1/javascripts/1.5.5/runner.js" in page.text
    assert 'id="new-api-key"' not in page.text
    assert page.headers["cache-control"] == "no-store"
    csrf = await v.csrf()
    first = merchant.credential_id

    made = await v.post(f"{PAGE}/keys", csrf=csrf)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    created = _new_key(made.text)
    assert "They are shown this once" in made.text
    second = first + 1
    assert await _keys(client, merchant) == [(first, True), (second, True)]
    assert await can_charge(client, merchant, created)
    assert created not in (await v.get(PAGE)).text  # shown once

    rolled = await v.post(f"{PAGE}/keys/{first}/roll", csrf=csrf)
    assert rolled.status_code == 200
    assert "keeps working for 1 minute more" in rolled.text
    fresh = _new_key(rolled.text)
    assert fresh not in (merchant.api_key, created)
    assert await can_charge(client, merchant, merchant.api_key)  # in its grace
    assert await can_charge(client, merchant, fresh)
    await advance(client, seconds=61)
    assert not await can_charge(client, merchant, merchant.api_key)
    assert await can_charge(client, merchant, fresh)

    revoked = await v.post(f"{PAGE}/keys/{second}/revoke", csrf=csrf)
    assert (revoked.status_code, revoked.headers["location"]) == (303, f"{PAGE}?done=revoked")
    assert not await can_charge(client, merchant, created)
    assert await _keys(client, merchant) == [(first, True), (second, False)]
    shown = await v.get(f"{PAGE}?done=revoked")
    assert "The key was revoked." in shown.text
    assert f'action="{PAGE}/keys/{second}/roll"' not in shown.text
    assert f'action="{PAGE}/keys/{first}/roll"' in shown.text

    # A revoked key cannot be rolled; an unknown one is not found; nothing changes.
    for path in (f"{second}/roll", "999999/roll", "999999/revoke", "nonsense/roll", "1/burn"):
        assert (await v.post(f"{PAGE}/keys/{path}", csrf=csrf)).status_code == 404
    assert await _keys(client, merchant) == [(first, True), (second, False)]
    assert await can_charge(client, merchant, fresh)

    audit = (await v.get("/dashboard/audit")).text
    assert "key created</td>" in audit and f"credential_id: {second}" in audit
    assert f"credential_id: {first}, grace_seconds: 60" in audit
    assert "key revoked</td>" in audit and "key rolled</td>" in audit
    assert created not in audit and fresh not in audit


async def test_a_forged_key_post_changes_nothing(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    for csrf in ("", "forged", (await v.csrf())[:-1]):
        assert (await v.post(f"{PAGE}/keys", csrf=csrf)).status_code == 403
        revoke = await v.post(f"{PAGE}/keys/{merchant.credential_id}/revoke", csrf=csrf)
        assert revoke.status_code == 403
    assert await _keys(client, merchant) == [(merchant.credential_id, True)]
    assert await can_charge(client, merchant, merchant.api_key)


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.VIEWER])
async def test_support_and_view_only_have_no_developers_page(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant, role)
    home = await v.get("/dashboard")
    assert f'href="{PAGE}"' not in home.text
    assert (await v.get(PAGE)).status_code == 403
    csrf = await v.csrf()
    assert (await v.post(f"{PAGE}/keys", csrf=csrf)).status_code == 403
    for action in ("roll", "revoke"):
        posted = await v.post(f"{PAGE}/keys/{merchant.credential_id}/{action}", csrf=csrf)
        assert posted.status_code == 403
    resend = await v.post(f"{PAGE}/deliveries/wh_0000000000000000/resend", csrf=csrf)
    assert resend.status_code == 403
    assert await _keys(client, merchant) == [(merchant.credential_id, True)]
    assert await can_charge(client, merchant, merchant.api_key)


async def test_another_merchants_keys_are_not_found(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a, b = await make_merchant(name="Keys A"), await make_merchant(name="Keys B")
    v = await _owner(runtime, visitor, a)
    page = (await v.get(PAGE)).text
    assert a.public_key in page and b.public_key not in page
    csrf = await v.csrf()
    for action in ("roll", "revoke"):
        posted = await v.post(f"{PAGE}/keys/{b.credential_id}/{action}", csrf=csrf)
        assert posted.status_code == 404
    assert await _keys(client, b) == [(b.credential_id, True)]
    assert await can_charge(client, b, b.api_key)


# ---------------------------------------------------------------- webhooks


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    started = await Receiver().start()
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def hooks(client: httpx.AsyncClient) -> AsyncIterator[Hooks]:
    made = Hooks(client)
    try:
        yield made
    finally:
        await made.delete_all()


async def failed_delivery(
    client: httpx.AsyncClient, runtime: Runtime, m: MerchantAccess, receiver: Receiver, hooks: Hooks
) -> tuple[int, str]:
    """An endpoint of `m` whose one delivery failed all 8 attempts (each answered 503)."""
    receiver.handler = always(503)
    endpoint = await hooks.add(
        receiver.url(), mid=m.mid, event_types=["transaction.*"], description="Shop server"
    )
    assert (await charge(client, m, amount=1200)).status_code == 200
    for _ in range(8):
        await deliver_due(runtime)
        await advance(client, seconds=14 * 3600)  # longer than the schedule's longest gap
    [failed] = await deliveries(client, endpoint_id=endpoint["id"])
    assert (failed["state"], failed["attempts"], failed["last_status"]) == ("failed", 8, 503)
    return endpoint["id"], failed["webhook_id"]


async def test_a_failed_delivery_is_resent_from_the_page(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    _, webhook_id = await failed_delivery(client, runtime, merchant, receiver, hooks)
    v = await _owner(runtime, visitor, merchant, Role.DEVELOPER)
    page = (await v.get(PAGE)).text
    assert receiver.url() in page and "Shop server · Events: transaction.*" in page
    row = page.split(webhook_id, 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S)
    assert [(label, re.sub(r"<[^>]+>", "", text).strip()) for label, text in cells[1:5]] == [
        ("State", "Failed"),
        ("Attempts", "8"),
        ("Last status", "503"),
        ("Last answer", "the receiver answered HTTP 503"),
    ]
    action = f'action="{PAGE}/deliveries/{webhook_id}/resend"'
    assert action in page

    resent = await v.post(f"{PAGE}/deliveries/{webhook_id}/resend", csrf=await v.csrf())
    assert (resent.status_code, resent.headers["location"]) == (303, f"{PAGE}?done=resent")
    after = await delivery(client, webhook_id)
    assert (after["state"], after["attempts"]) == ("pending", 8)
    receiver.handler = always(200)
    await deliver_due(runtime)
    assert (await delivery(client, webhook_id))["state"] == "delivered"
    assert receiver.received[-1].attempt == 9
    shown = (await v.get(f"{PAGE}?done=resent")).text
    assert "The delivery is back in line" in shown and action not in shown
    assert ">Delivered</span>" in shown

    again = await v.post(f"{PAGE}/deliveries/{webhook_id}/resend", csrf=await v.csrf())
    assert again.status_code == 409
    assert f"Not re-sent: webhook delivery {webhook_id} is delivered" in again.text
    assert (await delivery(client, webhook_id))["attempts"] == 9

    audit = await _owner(runtime, visitor, merchant)
    log = (await audit.get("/dashboard/audit")).text
    assert log.count("webhook resent</td>") == 1
    assert f"event_type: transaction.entered, webhook_id: {webhook_id}" in log


async def test_another_merchants_delivery_is_not_found(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    a, b = await make_merchant(name="Hooks A"), await make_merchant(name="Hooks B")
    _, theirs = await failed_delivery(client, runtime, b, receiver, hooks)
    v = await _owner(runtime, visitor, a)
    page = (await v.get(PAGE)).text
    assert theirs not in page and "No endpoints." in page
    for webhook_id in (theirs, "wh_0000000000000000", "nonsense"):
        posted = await v.post(f"{PAGE}/deliveries/{webhook_id}/resend", csrf=await v.csrf())
        assert posted.status_code == 404
    assert (await delivery(client, theirs))["state"] == "failed"
