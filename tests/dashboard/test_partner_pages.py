"""A partner's other pages: its merchants with this month's volume, its rep codes, and its
Boarding API clients (made with the secret shown once, and revoked)."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.boarding.support import (
    ADMIN_MERCHANTS,
    API,
    PartnerAccess,
    act_ok,
    boarding_token,
    create_ok,
    make_partner,
)
from tests.conftest import ADMIN, MerchantAccess
from tests.dashboard.support import Visitor, csrf_of, partner_visitor
from tests.helpers import charge
from tests.people.support import make_user

CLIENTS = "/dashboard/api-clients"
REP_CODES = "/dashboard/rep-codes"


async def _boarded(client: httpx.AsyncClient, partner: PartnerAccess, name: str) -> MerchantAccess:
    app_id = await create_ok(client, partner, dba_name=name)
    await act_ok(client, app_id, "send_for_signature", "sign", "approve")
    handed = await client.get(f"{ADMIN_MERCHANTS}/{app_id}/credentials", headers=ADMIN)
    assert handed.status_code == 200, handed.text
    body = handed.json()
    return MerchantAccess(
        body["mid"],
        body["api_key"],
        body["refresh_token"],
        body["public_key"],
        body["credential_id"],
    )


def _row_of(html: str, mid: str) -> str:
    return html.split(f'<td data-label="MID" class="num">{mid}</td>')[1].split("</tr>")[0]


async def test_merchants_show_this_months_volume_and_count(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner, other = await make_partner(client), await make_partner(client)
    busy = await _boarded(client, partner, "Busy Bakery")
    quiet = await _boarded(client, partner, "Quiet Quilts")
    theirs = await _boarded(client, other, "Their Tavern")
    for amount in (1000, 2550, 10000):
        assert (await charge(client, busy, amount=amount)).status_code == 200
    declined = await charge(client, busy, amount=1, account_token="4000000000000002")
    assert declined.status_code in (200, 402)
    assert (await charge(client, theirs, amount=7700)).status_code == 200
    v = await partner_visitor(runtime, visitor, Role.PARTNER_VIEWER, partner.partner_id)
    html = (await v.get("/dashboard/boarded")).text
    busy_row, quiet_row = _row_of(html, busy.mid), _row_of(html, quiet.mid)
    assert '<td data-label="Volume this month" class="num">$135.50</td>' in busy_row
    assert '<td data-label="Payments" class="num">3</td>' in busy_row
    assert '<td data-label="Volume this month" class="num">$0.00</td>' in quiet_row
    assert '<td data-label="Payments" class="num">0</td>' in quiet_row
    assert theirs.mid not in html and "Their Tavern" not in html


async def test_a_partner_admin_adds_a_rep_code_and_boards_under_it(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner, other = await make_partner(client), await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    page = await v.get(REP_CODES)
    assert f"<code>{partner.rep_code}</code>" in page.text
    assert other.rep_code not in page.text
    added = await v.post(
        REP_CODES, csrf=csrf_of(page.text), rep_code="EAST-7", name="Eastern <desk>"
    )
    assert added.status_code == 303 and added.headers["location"] == f"{REP_CODES}?done=added"
    page = await v.get(REP_CODES, done="added")
    assert "The rep code is added." in page.text
    assert '<td data-label="Name" class="wrap">Eastern &lt;desk&gt;</td>' in page.text
    listed = await client.get(f"{API}/rep_codes", headers=partner.headers)
    assert sorted(r["rep_code"] for r in listed.json()["items"]) == sorted(
        [partner.rep_code, "EAST-7"]
    )
    form = await v.get("/dashboard/applications/new")
    assert '<option value="EAST-7">EAST-7 · Eastern &lt;desk&gt;</option>' in form.text


async def test_a_bad_or_taken_rep_code_adds_nothing(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner, other = await make_partner(client), await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    csrf = await v.csrf()
    bad = await v.post(REP_CODES, csrf=csrf, rep_code="no spaces", name="")
    assert bad.status_code == 400
    assert '<p class="error" id="rep-rep_code-error">String should match pattern' in bad.text
    taken = await v.post(REP_CODES, csrf=csrf, rep_code=other.rep_code, name="Mine now")
    assert taken.status_code == 409
    assert '<p class="error" id="rep-rep_code-error">is taken</p>' in taken.text
    listed = await client.get(f"{API}/rep_codes", headers=partner.headers)
    assert [r["rep_code"] for r in listed.json()["items"]] == [partner.rep_code]
    theirs = await client.get(f"{API}/rep_codes", headers=other.headers)
    assert [(r["rep_code"], r["name"]) for r in theirs.json()["items"]] == [(other.rep_code, "Rep")]


async def test_a_partner_viewer_sees_rep_codes_and_clients_but_adds_nothing(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_VIEWER, partner.partner_id)
    codes = await v.get(REP_CODES)
    assert codes.status_code == 200 and 'action="/dashboard/rep-codes"' not in codes.text
    clients = await v.get(CLIENTS)
    assert clients.status_code == 200 and partner.client_id in clients.text
    assert 'action="/dashboard/api-clients"' not in clients.text and "/revoke" not in clients.text
    csrf = await v.csrf()
    assert (await v.post(REP_CODES, csrf=csrf, rep_code="VIEWER1")).status_code == 403
    assert (await v.post(CLIENTS, csrf=csrf, name="x")).status_code == 403
    revoke = await v.post(f"{CLIENTS}/{partner.client_id}/revoke", csrf=csrf)
    assert revoke.status_code == 403
    listed = await client.get(f"{API}/rep_codes", headers=partner.headers)
    assert [r["rep_code"] for r in listed.json()["items"]] == [partner.rep_code]
    assert (await client.get(f"{API}/merchants", headers=partner.headers)).status_code == 200


async def test_a_partner_admin_creates_and_revokes_a_boarding_client(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    page = await v.get(CLIENTS)
    made = await v.post(CLIENTS, csrf=csrf_of(page.text), name="CRM sync")
    assert made.status_code == 200
    client_id = re.search(r'<code id="new-client-id">([^<]+)</code>', made.text)
    secret = re.search(r'<code id="new-client-secret">([^<]+)</code>', made.text)
    assert client_id is not None and secret is not None
    assert client_id.group(1).startswith("boa_")
    # The secret works with the Boarding API, and sees this partner's applications.
    token = await boarding_token(client, client_id.group(1), secret.group(1))
    app_id = await create_ok(client, partner, dba_name="Seen By The New Client")
    seen = await client.get(
        f"{API}/merchants/{app_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert seen.status_code == 200
    again = await v.get(CLIENTS)
    assert secret.group(1) not in again.text  # shown once
    assert '<td data-label="Name" class="wrap">CRM sync</td>' in again.text
    revoked = await v.post(f"{CLIENTS}/{client_id.group(1)}/revoke", csrf=csrf_of(again.text))
    assert revoked.status_code == 303
    after = await v.get(CLIENTS, done="revoked")
    assert "The client is revoked: its tokens stop." in after.text
    refused = await client.get(
        f"{API}/merchants/{app_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401


async def test_another_partners_client_is_not_found(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    mine, theirs = await make_partner(client), await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, mine.partner_id)
    page = await v.get(CLIENTS)
    assert theirs.client_id not in page.text
    answer = await v.post(f"{CLIENTS}/{theirs.client_id}/revoke", csrf=csrf_of(page.text))
    assert answer.status_code == 404
    still = await client.get(f"{API}/merchants", headers=theirs.headers)
    assert still.status_code == 200


async def test_merchant_users_have_none_of_these_pages(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    v = visitor()
    await v.sign_in(owner.email)
    for path in (REP_CODES, CLIENTS, "/dashboard/applications/new", "/dashboard/boarded"):
        assert (await v.get(path)).status_code == 403, path
