"""The Developers page's Reporting OAuth clients, webhook endpoints and event list, made
and changed through oauth's and webhooks' own functions, each audited."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge
from tests.oauth.support import OAuthClient, make_client, token_answer
from tests.people.support import make_user
from tests.webhooks.support import ENDPOINTS, Hooks

PAGE = "/dashboard/developers"
CLIENT = re.compile(r'<code id="new-client-id">([^<]+)</code>')
SECRET = re.compile(r'<code id="new-client-secret">([^<]+)</code>')
SIGNING = re.compile(r'<code id="new-signing-secret">([^<]+)</code>')


async def _user(
    runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess, role: Role = Role.OWNER
) -> Visitor:
    user = await make_user(runtime, role, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


def _one(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    assert found is not None, text
    return found.group(1)


async def _clients(client: httpx.AsyncClient) -> list[tuple[str, str, list[str], bool]]:
    answer = await client.get("/homerun/v1/oauth/clients", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return [
        (c["client_id"], c["name"], c["mids"], c["revoked_at"] is None)
        for c in answer.json()["items"]
    ]


async def _endpoints(client: httpx.AsyncClient, m: MerchantAccess) -> list[tuple[str, bool]]:
    answer = await client.get(ENDPOINTS, params={"mid": m.mid}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return [(e["url"], e["enabled"]) for e in answer.json()["items"]]


@pytest.fixture
async def hooks(client: httpx.AsyncClient) -> AsyncIterator[Hooks]:
    made = Hooks(client)
    try:
        yield made
    finally:
        await made.delete_all()


# ---------------------------------------------------------------- OAuth clients


async def test_a_reporting_client_is_made_shown_once_and_revoked(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _user(runtime, visitor, merchant, Role.DEVELOPER)
    before = await _clients(client)
    assert "No OAuth clients yet." in (await v.get(PAGE)).text
    csrf = await v.csrf()

    made = await v.post(f"{PAGE}/oauth-clients", csrf=csrf, name="  Accounting export ")
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    client_id, secret = _one(CLIENT, made.text), _one(SECRET, made.text)
    assert client_id.startswith("rep_") and len(secret) == 43
    assert await _clients(client) == [
        *before,
        (client_id, "Accounting export", [merchant.mid], True),
    ]
    oauth = OAuthClient(client_id, secret, "reporting", [merchant.mid])
    assert (await token_answer(client, oauth)).status_code == 200
    page = (await v.get(PAGE)).text
    assert secret not in page and f"<code>{client_id}</code>" in page

    revoked = await v.post(f"{PAGE}/oauth-clients/{client_id}/revoke", csrf=csrf)
    assert (revoked.status_code, revoked.headers["location"]) == (
        303,
        f"{PAGE}?done=client_revoked",
    )
    assert (await token_answer(client, oauth)).status_code == 401
    assert await _clients(client) == [
        *before,
        (client_id, "Accounting export", [merchant.mid], False),
    ]
    shown = (await v.get(f"{PAGE}?done=client_revoked")).text
    assert "The OAuth client was revoked." in shown and ">Revoked " in shown
    assert f"/oauth-clients/{client_id}/revoke" not in shown

    owner = await _user(runtime, visitor, merchant)
    log = (await owner.get("/dashboard/audit")).text
    assert f"client_id: {client_id}, name: Accounting export" in log
    assert "oauth client created</td>" in log and "oauth client revoked</td>" in log
    assert secret not in log


async def test_a_client_without_a_name_or_shared_or_anothers_changes_nothing(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a, b = await make_merchant(name="Clients A"), await make_merchant(name="Clients B")
    theirs = await make_client(client, b.mid, name="B's export")
    shared = await make_client(client, a.mid, b.mid, name="Shared export")
    before = await _clients(client)
    v = await _user(runtime, visitor, a)
    page = (await v.get(PAGE)).text
    assert "Shared export" in page and "B&#39;s export" not in page
    assert "Shared with other merchants" in page
    csrf = await v.csrf()
    for name in ("", "   ", "x" * 201):
        refused = await v.post(f"{PAGE}/oauth-clients", csrf=csrf, name=name)
        assert refused.status_code == 422
        assert "Name: give the client a name of 1 to 200 characters." in refused.text
        assert 'id="new-client-secret"' not in refused.text
    assert (
        await v.post(f"{PAGE}/oauth-clients/{theirs.client_id}/revoke", csrf=csrf)
    ).status_code == 404
    assert (await v.post(f"{PAGE}/oauth-clients/rep_nothing/revoke", csrf=csrf)).status_code == 404
    conflict = await v.post(f"{PAGE}/oauth-clients/{shared.client_id}/revoke", csrf=csrf)
    assert conflict.status_code == 409
    assert "This client reads other merchants too: an operator revokes it." in conflict.text
    for forged in ("", "forged"):
        assert (await v.post(f"{PAGE}/oauth-clients", csrf=forged, name="x")).status_code == 403
    assert await _clients(client) == before
    log = (await v.get("/dashboard/audit")).text
    assert "oauth client" not in log


# ---------------------------------------------------------------- webhook endpoints


async def test_an_endpoint_is_added_paused_resumed_and_deleted(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _user(runtime, visitor, merchant, Role.DEVELOPER)
    page = (await v.get(PAGE)).text
    assert 'name="event:*" checked' in page and 'name="event:transaction.*">' in page
    csrf = await v.csrf()
    url = "https://shop.example/hooks/homerun"
    form = {"event:transaction.*": "on", "event:funding.entered": "on"}
    made = await v.post(f"{PAGE}/endpoints", csrf=csrf, url=url, description="Shop", **form)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    secret = _one(SIGNING, made.text)
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    listed = await client.get(ENDPOINTS, params={"mid": merchant.mid}, headers=ADMIN)
    [endpoint] = listed.json()["items"]
    assert (endpoint["url"], endpoint["event_types"], endpoint["description"]) == (
        url,
        ["transaction.*", "funding.entered"],
        "Shop",
    )
    assert endpoint["secret_last4"] == secret[-4:] and endpoint["enabled"] is True
    eid = endpoint["id"]
    page = (await v.get(PAGE)).text
    assert secret not in page and "Shop · Events: transaction.*, funding.entered" in page

    for action, done, enabled in (("pause", "paused", False), ("resume", "resumed", True)):
        changed = await v.post(f"{PAGE}/endpoints/{eid}/{action}", csrf=csrf)
        assert (changed.status_code, changed.headers["location"]) == (303, f"{PAGE}?done={done}")
        assert await _endpoints(client, merchant) == [(url, enabled)]
    assert ">Paused</span>" not in (await v.get(PAGE)).text

    deleted = await v.post(f"{PAGE}/endpoints/{eid}/delete", csrf=csrf)
    assert (deleted.status_code, deleted.headers["location"]) == (303, f"{PAGE}?done=deleted")
    assert await _endpoints(client, merchant) == []
    assert (await v.post(f"{PAGE}/endpoints/{eid}/resume", csrf=csrf)).status_code == 404
    assert url not in (await v.get(PAGE)).text

    owner = await _user(runtime, visitor, merchant)
    log = (await owner.get("/dashboard/audit")).text
    for what in ("created", "paused", "resumed", "deleted"):
        assert log.count(f"webhook endpoint {what}</td>") == 1
    assert f"endpoint_id: {eid}, url: {url}" in log and secret not in log


async def test_a_refused_endpoint_changes_nothing_and_keeps_the_form(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
    hooks: Hooks,
) -> None:
    a, b = await make_merchant(name="Endpoints A"), await make_merchant(name="Endpoints B")
    theirs = await hooks.add("https://b.example/hook", mid=b.mid)
    v = await _user(runtime, visitor, a)
    csrf = await v.csrf()
    cases = [
        ({"url": "ftp://shop.example/x", "event:*": "on"}, "url: "),
        ({"url": "", "event:*": "on"}, "url: String should have at least 1 character"),
        ({"url": "https://shop.example/x"}, "event_types: List should have at least 1 item"),
    ]
    for fields, message in cases:
        refused = await v.post(f"{PAGE}/endpoints", csrf=csrf, description="Kept", **fields)
        assert refused.status_code == 422
        assert "Endpoint not added: " + message in html.unescape(refused.text)
        assert 'id="new-signing-secret"' not in refused.text
        assert 'value="Kept"' in refused.text
    assert await _endpoints(client, a) == []
    for action in ("pause", "resume", "delete", "burn"):
        posted = await v.post(f"{PAGE}/endpoints/{theirs['id']}/{action}", csrf=csrf)
        assert posted.status_code == 404
    assert (await v.post(f"{PAGE}/endpoints/nonsense/pause", csrf=csrf)).status_code == 404
    assert await _endpoints(client, b) == [("https://b.example/hook", True)]
    assert "webhook endpoint" not in (await v.get("/dashboard/audit")).text


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.VIEWER])
async def test_others_see_no_forms_and_are_refused(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
    hooks: Hooks,
) -> None:
    endpoint = await hooks.add("https://shop.example/hook", mid=merchant.mid)
    before = await _clients(client)
    v = await _user(runtime, visitor, merchant, role)
    csrf = await v.csrf()
    assert (await v.get(f"{PAGE}/events")).status_code == 403
    posts = [
        (f"{PAGE}/oauth-clients", {"name": "x"}),
        (f"{PAGE}/endpoints", {"url": "https://x.example/h", "event:*": "on"}),
        (f"{PAGE}/endpoints/{endpoint['id']}/pause", {}),
        (f"{PAGE}/endpoints/{endpoint['id']}/delete", {}),
    ]
    for path, fields in posts:
        assert (await v.post(path, csrf=csrf, **fields)).status_code == 403
    assert await _clients(client) == before
    assert await _endpoints(client, merchant) == [("https://shop.example/hook", True)]


# ---------------------------------------------------------------- events


async def test_events_are_listed_newest_first_in_pages(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m, other = await make_merchant(name="Events"), await make_merchant(name="Other events")
    trans_ids = []
    for amount in range(101, 128):  # 27 charges: 27 transaction.entered events
        answer = await charge(client, m, amount=amount)
        trans_ids.append(answer.json()["trans_id"])
    assert (await charge(client, other, amount=999)).json()["result"] == "A"
    v = await _user(runtime, visitor, m, Role.DEVELOPER)
    assert 'href="/dashboard/developers/events"' in (await v.get(PAGE)).text
    first = await v.get(f"{PAGE}/events")
    assert first.status_code == 200
    sources = re.findall(r'<td data-label="About" class="wrap">([^<]+)</td>', first.text)
    assert sources == trans_ids[::-1][:25]
    assert first.text.count("transaction.entered<br>") == 25
    payloads = re.findall(
        r'<pre class="snippet payload" tabindex="0"><code>(.*?)</code>', first.text, re.S
    )
    newest = json.loads(html.unescape(payloads[0]))
    assert (newest["mid"], newest["amount"], newest["result"]) == (m.mid, "1.27", "A")
    assert len(payloads) == 25
    older = re.search(r'href="(/dashboard/developers/events\?before=\d+)" rel="next"', first.text)
    assert older is not None
    second = await v.get(older.group(1))
    sources = re.findall(r'<td data-label="About" class="wrap">([^<]+)</td>', second.text)
    assert sources == trans_ids[1::-1]
    assert 'rel="next"' not in second.text
    assert 'href="/dashboard/developers/events">Newest events' in second.text
    assert (await v.get(f"{PAGE}/events?before=abc")).status_code == 400
