"""The partner's pages: the pipeline, an application and its moves, boarded merchants."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from homerun.audit import service as audit
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.boarding.support import act_ok, create_ok, events, get_merchant, make_partner
from tests.conftest import MerchantAccess
from tests.dashboard.support import Visitor, csrf_of
from tests.people.support import make_user


async def _partner_user(
    runtime: Runtime, visitor: Callable[..., Visitor], role: Role, partner_id: int
) -> Visitor:
    user = await make_user(runtime, role, partner_id=partner_id)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def test_the_pipeline_shows_the_partners_applications_by_status(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    mine, theirs = await make_partner(client), await make_partner(client)
    fresh = await create_ok(client, mine, dba_name="Fresh Bakery")
    signed = await create_ok(client, mine, dba_name="Signed Salon")
    await act_ok(client, signed, "send_for_signature", "sign")
    other = await create_ok(client, theirs, dba_name="Their Garage")
    v = await _partner_user(runtime, visitor, Role.PARTNER_VIEWER, mine.partner_id)
    page = await v.get("/dashboard/applications")
    assert page.status_code == 200
    html = page.text
    assert "2 applications" in html
    new_col = html.split('id="stage-new"')[1].split("</section>")[0]
    under = html.split('id="stage-in_underwriting"')[1].split("</section>")[0]
    assert f'href="/dashboard/applications/{fresh}">Fresh Bakery</a>' in new_col
    assert f'href="/dashboard/applications/{signed}">Signed Salon</a>' in under
    assert "Their Garage" not in html and f"/dashboard/applications/{other}" not in html
    home = await v.get("/dashboard")
    assert 'href="/dashboard/applications"' in home.text


async def test_a_partner_admin_moves_an_application_through_the_lifecycle(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    app_id = await create_ok(client, partner, dba_name="Moving Co")
    v = await _partner_user(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    url = f"/dashboard/applications/{app_id}"
    page = await v.get(url)
    assert f'action="{url}/send_for_signature"' in page.text
    assert f'action="{url}/approve"' not in page.text  # not from new
    csrf = csrf_of(page.text)
    for action, seen in (
        ("send_for_signature", "new"),
        ("sign", "sent_for_signature"),
        ("approve", "in_underwriting"),
    ):
        moved = await v.post(f"{url}/{action}", csrf=csrf, seen=seen)
        assert moved.status_code == 303, moved.text
        assert moved.headers["location"] == f"{url}?done=moved"
    body = await get_merchant(client, partner, app_id)
    assert body["merchant_status"] == "boarded"
    assert [e["event_type"] for e in await events(client, app_id)] == [
        "merchant.new",
        "merchant.sent_for_signature",
        "merchant.signed",
        "merchant.in_underwriting",
        "merchant.boarded",
    ]
    page = await v.get(url, done="moved")
    assert "The application moved on." in page.text
    assert f'action="{url}/go_live"' in page.text
    assert "<strong>Boarded</strong>" in page.text  # the history
    mid = body["mid"]
    boarded = await v.get("/dashboard/boarded")
    assert f'<td data-label="MID" class="num">{mid}</td>' in boarded.text
    async with runtime.db.transaction() as session:
        logged = [e for e in await audit.events(session, merchant_id=None, limit=50)]
    moves = [e.detail for e in logged if e.action == "application_moved"]
    mine = [d for d in moves if d["application_id"] == app_id]
    assert sorted((d["move"], d["status_before"], d["status"]) for d in mine) == [
        ("approve", "in_underwriting", "boarded"),
        ("send_for_signature", "new", "sent_for_signature"),
        ("sign", "sent_for_signature", "in_underwriting"),
    ]


async def test_a_move_posted_twice_or_not_allowed_changes_nothing(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    app_id = await create_ok(client, partner)
    v = await _partner_user(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    url = f"/dashboard/applications/{app_id}"
    csrf = await v.csrf()
    assert (await v.post(f"{url}/send_for_signature", csrf=csrf, seen="new")).status_code == 303
    again = await v.post(f"{url}/send_for_signature", csrf=csrf, seen="new")
    assert again.status_code == 409
    assert "changed since you opened it" in again.text
    wrong = await v.post(f"{url}/go_live", csrf=csrf, seen="sent_for_signature")
    assert wrong.status_code == 409
    assert "go_live is not allowed on a merchant that is sent_for_signature" in wrong.text
    forged = await v.post(f"{url}/cancel", csrf="forged", seen="sent_for_signature")
    assert forged.status_code == 403
    unknown = await v.post(f"{url}/explode", csrf=csrf, seen="sent_for_signature")
    assert unknown.status_code == 404
    assert (await get_merchant(client, partner, app_id))["merchant_status"] == "sent_for_signature"
    assert len(await events(client, app_id)) == 2


async def test_a_decline_carries_its_reason(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    app_id = await create_ok(client, partner)
    await act_ok(client, app_id, "send_for_signature", "sign")
    v = await _partner_user(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    url = f"/dashboard/applications/{app_id}"
    page = await v.get(url)
    assert 'id="reason-decline"' in page.text
    declined = await v.post(
        f"{url}/decline", csrf=csrf_of(page.text), seen="in_underwriting", reason="Thin file"
    )
    assert declined.status_code == 303
    page = await v.get(url)
    assert "<dt>Reason</dt><dd>Thin file</dd>" in page.text
    assert 'class="move"' not in page.text.replace(f'action="{url}/delete" class="move"', "")


async def test_a_partner_viewer_sees_but_cannot_move(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    app_id = await create_ok(client, partner)
    v = await _partner_user(runtime, visitor, Role.PARTNER_VIEWER, partner.partner_id)
    url = f"/dashboard/applications/{app_id}"
    page = await v.get(url)
    assert page.status_code == 200 and 'class="move"' not in page.text
    refused = await v.post(f"{url}/send_for_signature", csrf=await v.csrf(), seen="new")
    assert refused.status_code == 403
    assert (await get_merchant(client, partner, app_id))["merchant_status"] == "new"


async def test_another_partners_application_is_not_found(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    mine, theirs = await make_partner(client), await make_partner(client)
    other = await create_ok(client, theirs)
    v = await _partner_user(runtime, visitor, Role.PARTNER_ADMIN, mine.partner_id)
    url = f"/dashboard/applications/{other}"
    assert (await v.get(url)).status_code == 404
    posted = await v.post(f"{url}/send_for_signature", csrf=await v.csrf(), seen="new")
    assert posted.status_code == 404
    assert (await get_merchant(client, theirs, other))["merchant_status"] == "new"
    for bad in ("abc", "0", "-1", "99999999999999999999999", "00000000000000000001"):
        assert (await v.get(f"/dashboard/applications/{bad}")).status_code == 404


async def test_a_parent_partner_sees_its_childs_applications(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    parent = await make_partner(client)
    child = await make_partner(client, parent=parent.partner_id)
    app_id = await create_ok(client, child, dba_name="Child Shop")
    up = await _partner_user(runtime, visitor, Role.PARTNER_VIEWER, parent.partner_id)
    down = await _partner_user(runtime, visitor, Role.PARTNER_VIEWER, child.partner_id)
    assert (await up.get(f"/dashboard/applications/{app_id}")).status_code == 200
    assert (await down.get(f"/dashboard/applications/{app_id}")).status_code == 200
    sibling = await create_ok(client, parent, dba_name="Parent Shop")
    assert (await down.get(f"/dashboard/applications/{sibling}")).status_code == 404


async def test_an_operator_sees_every_partners_applications(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    a, b = await make_partner(client), await make_partner(client)
    one, two = await create_ok(client, a), await create_ok(client, b)
    operator = await make_user(runtime, Role.OPERATOR)
    v = visitor()
    await v.sign_in(operator.email)
    listing = (await v.get("/dashboard/applications")).text
    assert (
        f"/dashboard/applications/{one}" in listing and f"/dashboard/applications/{two}" in listing
    )


async def test_merchant_users_have_no_partner_pages(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    v = visitor()
    await v.sign_in(owner.email)
    assert (await v.get("/dashboard/applications")).status_code == 403
    assert (await v.get("/dashboard/boarded")).status_code == 403
    assert 'href="/dashboard/applications"' not in (await v.get("/dashboard")).text
