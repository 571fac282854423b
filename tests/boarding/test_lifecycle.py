"""The lifecycle in the sandbox: /homerun/v1 actions, the clock with auto-send, the events."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.boarding.support import (
    ADMIN_MERCHANTS,
    API,
    PartnerAccess,
    act,
    act_ok,
    advance,
    create_ok,
    events,
    get_merchant,
    make_partner,
)
from tests.conftest import ADMIN

FAST = {
    "signature_delay_seconds": 60,
    "underwriting_delay_seconds": 120,
    "go_live_delay_seconds": 180,
}


def at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["payload"]["timestamp"])


async def status(
    client: httpx.AsyncClient, partner: PartnerAccess, merchant_id: int
) -> tuple[str, int]:
    got = await get_merchant(client, partner, merchant_id)
    return got["merchant_status"], got["merchant_status_id"]


async def admin_view(client: httpx.AsyncClient, merchant_id: int) -> dict[str, Any]:
    answer = await client.get(f"{ADMIN_MERCHANTS}/{merchant_id}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# ---- actions -----------------------------------------------------------------------------


async def test_actions_walk_the_whole_lifecycle(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner)
    expected = [
        ("send_for_signature", ("sent_for_signature", 2)),
        ("sign", ("in_underwriting", 4)),
        ("approve", ("boarded", 5)),
        ("go_live", ("live", 6)),
    ]
    for action, reached in expected:
        body = await act_ok(client, merchant_id, action)
        assert (body["merchant_status"], body["merchant_status_id"]) == reached
        assert await status(client, partner, merchant_id) == reached
    got = await get_merchant(client, partner, merchant_id)
    assert got["mid"] is not None and len(got["mid"]) == 12 and got["mid"].isdigit()
    seen = await events(client, merchant_id)
    assert [e["event_type"] for e in seen] == [
        "merchant.new",
        "merchant.sent_for_signature",
        "merchant.signed",
        "merchant.in_underwriting",
        "merchant.boarded",
        "merchant.live",
    ]
    assert [e["payload"]["merchant_status_id"] for e in seen] == [1, 2, 3, 4, 5, 6]
    assert [e["payload"]["mid"] for e in seen] == [None] * 4 + [got["mid"]] * 2
    assert all(e["source_id"] == str(merchant_id) for e in seen)
    assert all(e["payload"]["rep_code_id"] == partner.rep_code_id for e in seen)


async def test_an_illegal_action_is_a_409_naming_the_status(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner)
    for action in ("sign", "approve", "decline", "go_live"):
        answer = await act(client, merchant_id, action)
        assert answer.status_code == 409, action
        assert "new" in answer.json()["message"] and "merchant_status" in answer.json()["errors"]
    assert await status(client, partner, merchant_id) == ("new", 1)
    assert len(await events(client, merchant_id)) == 1


async def test_actions_on_unknown_things(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner)
    assert (await act(client, merchant_id, "teleport")).status_code == 404
    assert (await act(client, 999999999, "sign")).status_code == 404
    answer = await client.post(
        f"{ADMIN_MERCHANTS}/{merchant_id}/actions/sign", headers=partner.headers
    )
    assert answer.status_code == 401  # the actions are the admin's


async def test_decline_records_its_reason(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner)
    await act_ok(client, merchant_id, "send_for_signature", "sign")
    answer = await act(client, merchant_id, "decline", reason="High-risk business model")
    assert answer.status_code == 200
    got = await get_merchant(client, partner, merchant_id)
    assert (got["merchant_status"], got["merchant_status_id"]) == ("declined", 8)
    assert got["status_reason"] == "High-risk business model" and got["mid"] is None
    assert (await events(client, merchant_id))[-1]["event_type"] == "merchant.declined"
    assert (await act(client, merchant_id, "approve")).status_code == 409
    await act_ok(client, merchant_id, "delete")
    assert await status(client, partner, merchant_id) == ("deleted", 10)


async def test_cancel_and_delete(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner)
    await act_ok(client, merchant_id, "send_for_signature", "cancel")
    assert await status(client, partner, merchant_id) == ("cancelled", 7)
    assert (await act(client, merchant_id, "send_for_signature")).status_code == 409
    await act_ok(client, merchant_id, "delete")
    assert await status(client, partner, merchant_id) == ("deleted", 10)
    assert (await act(client, merchant_id, "delete")).status_code == 409
    kinds = [e["event_type"] for e in await events(client, merchant_id)]
    assert kinds[-2:] == ["merchant.cancelled", "merchant.deleted"]
    boarded = await create_ok(client, partner)
    await act_ok(client, boarded, "send_for_signature", "sign", "approve")
    for action in ("cancel", "delete"):
        assert (await act(client, boarded, action)).status_code == 409


async def test_the_admin_lists_and_reads_applications(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    other = await make_partner(client)
    mine = await create_ok(client, partner)
    await create_ok(client, other)
    listed = await client.get(
        ADMIN_MERCHANTS, params={"partner_id": partner.partner_id}, headers=ADMIN
    )
    assert listed.status_code == 200
    assert [(i["merchant_id"], i["partner_id"]) for i in listed.json()["items"]] == [
        (mine, partner.partner_id)
    ]
    view = await admin_view(client, mine)
    assert view["partner_id"] == partner.partner_id and view["next_step_at"] is None
    missing = await client.get(ADMIN_MERCHANTS, params={"partner_id": 999999}, headers=ADMIN)
    assert missing.status_code == 404
    assert (await client.get(f"{ADMIN_MERCHANTS}/999999999", headers=ADMIN)).status_code == 404
    assert (await client.get(ADMIN_MERCHANTS)).status_code == 401
    assert (await client.get(f"{ADMIN_MERCHANTS}/{mine}/events")).status_code == 401


# ---- the clock ---------------------------------------------------------------------------


async def test_auto_send_moves_by_the_clock_to_live(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client, **FAST)
    merchant_id = await create_ok(client, partner, auto_send_for_signature="Y")
    assert await status(client, partner, merchant_id) == ("sent_for_signature", 2)
    got = await get_merchant(client, partner, merchant_id)
    assert got["auto_send_for_signature"] == "Y"
    sent = (await events(client, merchant_id))[-1]
    assert sent["event_type"] == "merchant.sent_for_signature"
    await advance(client, 50)
    assert await status(client, partner, merchant_id) == ("sent_for_signature", 2)
    await advance(client, 15)
    assert await status(client, partner, merchant_id) == ("in_underwriting", 4)
    await advance(client, 125)
    got = await get_merchant(client, partner, merchant_id)
    assert (got["merchant_status"], got["mid"] is not None) == ("boarded", True)
    await advance(client, 185)
    assert await status(client, partner, merchant_id) == ("live", 6)
    seen = await events(client, merchant_id)
    kinds = [e["event_type"] for e in seen]
    assert kinds == [
        "merchant.new",
        "merchant.sent_for_signature",
        "merchant.signed",
        "merchant.in_underwriting",
        "merchant.boarded",
        "merchant.live",
    ]
    # each step happens at its own moment of the clock, not when the clock was moved
    times = [at(e) for e in seen]
    assert times[2] - times[1] == timedelta(seconds=60)
    assert times[3] == times[2]
    assert times[4] - times[3] == timedelta(seconds=120)
    assert times[5] - times[4] == timedelta(seconds=180)
    assert (await admin_view(client, merchant_id))["next_step_at"] is None


async def test_one_long_advance_takes_every_step(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client, **FAST)
    merchant_id = await create_ok(client, partner, auto_send="true")
    await advance(client, 1800)
    assert await status(client, partner, merchant_id) == ("live", 6)
    assert len(await events(client, merchant_id)) == 6


async def test_without_auto_send_the_clock_does_nothing(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client, **FAST)
    merchant_id = await create_ok(client, partner)
    await act_ok(client, merchant_id, "send_for_signature")
    await advance(client, 1800)
    assert await status(client, partner, merchant_id) == ("sent_for_signature", 2)


async def test_underwriting_declines_the_sandbox_test_values(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client, **FAST)
    by_name = await create_ok(client, partner, auto_send="Y", dba_name="Please Decline Me Diner")
    by_tax_id = await create_ok(client, partner, auto_send="Y", tax_id="999-99-9999")
    approved = await create_ok(client, partner, auto_send="Y", tax_id="12-3456789")
    await advance(client, 200)
    for merchant_id in (by_name, by_tax_id):
        got = await get_merchant(client, partner, merchant_id)
        assert (got["merchant_status"], got["merchant_status_id"]) == ("declined", 8)
        assert got["status_reason"].startswith("sandbox:") and got["mid"] is None
        assert (await events(client, merchant_id))[-1]["event_type"] == "merchant.declined"
    assert (await get_merchant(client, partner, approved))["merchant_status"] == "boarded"


async def test_a_partner_without_go_live_by_clock_stays_boarded(
    client: httpx.AsyncClient,
) -> None:
    partner = await make_partner(client, **{**FAST, "go_live_by_clock": "N"})
    merchant_id = await create_ok(client, partner, auto_send="Y")
    await advance(client, 1800)
    assert await status(client, partner, merchant_id) == ("boarded", 5)
    await act_ok(client, merchant_id, "go_live")
    assert await status(client, partner, merchant_id) == ("live", 6)


async def test_an_action_reschedules_the_clock(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client, **FAST)
    merchant_id = await create_ok(client, partner, auto_send="Y")
    first = await admin_view(client, merchant_id)
    assert first["next_step_at"] is not None
    signed = await act_ok(client, merchant_id, "sign")
    assert signed["merchant_status"] == "in_underwriting"
    due = datetime.fromisoformat(signed["next_step_at"])
    assert due - datetime.fromisoformat(first["next_step_at"]) >= timedelta(seconds=60)
    cancelled = await act_ok(client, merchant_id, "cancel")
    assert cancelled["next_step_at"] is None
    await advance(client, 1800)
    assert await status(client, partner, merchant_id) == ("cancelled", 7)


# ---- credentials -------------------------------------------------------------------------


async def test_credentials_are_handed_over_once(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner)
    path = f"{ADMIN_MERCHANTS}/{merchant_id}/credentials"
    early = await client.get(path, headers=ADMIN)
    assert early.status_code == 409 and "new" in early.json()["message"]
    await act_ok(client, merchant_id, "send_for_signature", "sign", "approve")
    mid = (await get_merchant(client, partner, merchant_id))["mid"]
    handed = await client.get(path, headers=ADMIN)
    assert handed.status_code == 200 and handed.headers["Cache-Control"] == "no-store"
    body = handed.json()
    assert body["merchant_id"] == merchant_id and body["mid"] == mid
    assert body["api_key"].startswith("sk_") and body["refresh_token"].startswith("rt_")
    assert body["public_key"].startswith("pk_") and isinstance(body["credential_id"], int)
    assert body["api_key_expires_at"] > 0 and body["refresh_token_expires_at"] > 0
    again = await client.get(path, headers=ADMIN)
    assert again.status_code == 409 and "already" in again.json()["message"]
    fresh = await client.post(path, headers=ADMIN)
    assert fresh.status_code == 201
    assert fresh.json()["mid"] == mid and fresh.json()["api_key"] != body["api_key"]
    sets = await client.get(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN)
    assert len(sets.json()) == 2


async def test_the_partner_fetches_its_own_credentials_with_its_token(
    client: httpx.AsyncClient,
) -> None:
    partner, other = await make_partner(client), await make_partner(client)
    merchant_id = await create_ok(client, partner)
    await act_ok(client, merchant_id, "send_for_signature", "sign", "approve")
    path = f"{ADMIN_MERCHANTS}/{merchant_id}/credentials"
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=other.headers)).status_code == 404
    assert (await client.post(path, headers=other.headers)).status_code == 404
    mine = await client.get(path, headers=partner.headers)
    assert mine.status_code == 200 and mine.json()["api_key"].startswith("sk_")
    assert (await client.post(path, headers=partner.headers)).status_code == 201
    assert (
        await client.get(f"{API}/merchants/{merchant_id}", headers=other.headers)
    ).status_code == 404
