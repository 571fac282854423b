"""A partner boards a merchant from the dashboard: the new-application form, its drafts
and submissions, the Boarding API's own errors next to the fields, and the path to live."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from homerun.audit import service as audit
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.boarding.support import (
    API,
    GOOD_ROUTING,
    PartnerAccess,
    advance,
    events,
    get_merchant,
    make_partner,
)
from tests.dashboard.support import (
    Visitor,
    audit_details,
    csrf_of,
    form_key_of,
    key_kept,
    partner_visitor,
    redirected_to,
    same_answers,
)

NEW = "/dashboard/applications/new"
# The sandbox clock's steps, fast: signature after 60 s, underwriting 120 s, live 180 s.
FAST = {
    "signature_delay_seconds": 60,
    "underwriting_delay_seconds": 120,
    "go_live_delay_seconds": 180,
}


def form(partner: PartnerAccess, **fields: str) -> dict[str, str]:
    """Every input of the form filled in, as a partner would."""
    given = {
        "rep_code": partner.rep_code,
        "platform": "payroc",
        "dba_name": "Harbor Coffee",
        "legal_name": "Harbor Coffee LLC",
        "tax_id": "12-3456789",
        "ownership_type": "llc",
        "mcc_code": "5812",
        "years_in_business": "4",
        "website": "https://harbor.example.com",
        "phone": "555-123-4567",
        "address1": "1 Pier Road",
        "city": "Erie",
        "state": "pa",
        "zip": "16501",
        "signer_first_name": "Ana",
        "signer_last_name": "Lopes",
        "signer_email": "ana@harbor.example.com",
        "signer_title": "Owner",
        "signer_phone": "555-987-6543",
        "signer_dob": "04/15/1980",
        "annual_volume": "250000",
        "average_ticket": "12.50",
        "highest_ticket": "300",
        "routing_number": GOOD_ROUTING,
        "account_number": "000123456789",
        "account_type": "checking",
    }
    given.update(fields)
    return given


async def _applications(client: httpx.AsyncClient, partner: PartnerAccess) -> list[dict[str, Any]]:
    answer = await client.get(f"{API}/merchants", headers=partner.headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _submit(v: Visitor, **fields: str) -> httpx.Response:
    return await v.form(NEW, **fields)


async def test_a_submitted_application_goes_to_live_by_the_clock(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client, **FAST)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    pipeline = await v.get("/dashboard/applications")
    assert f'<a class="button" href="{NEW}">New application</a>' in pipeline.text
    page = await v.get(NEW)
    assert f'<option value="{partner.rep_code}">{partner.rep_code} · Rep</option>' in page.text
    opened = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text)}
    made = await v.post(NEW, **opened, send="submit", **form(partner))
    assert made.status_code == 303, made.text
    app_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    assert made.headers["location"] == f"/dashboard/applications/{app_id}?done=submitted"
    shown = await v.get(made.headers["location"])
    assert "The application is submitted: it was sent to the signer for signature." in shown.text
    body = await get_merchant(client, partner, app_id)
    assert body["merchant_status"] == "sent_for_signature"
    assert body["auto_send_for_signature"] == "Y"
    assert (body["dba_name"], body["legal_name"], body["tax_id"]) == (
        "Harbor Coffee",
        "Harbor Coffee LLC",
        "12-3456789",
    )
    assert body["addresses"] == [
        {
            "type": "business",
            "address1": "1 Pier Road",
            "address2": None,
            "city": "Erie",
            "state": "PA",
            "zip": "16501",
            "country": "US",
        }
    ]
    assert body["bank_account"] == {
        "routing_number": GOOD_ROUTING,
        "account_number": "****6789",
        "account_type": "checking",
        "bank_name": None,
        "account_holder_name": None,
    }
    assert body["annual_volume"] == 250000 and body["average_ticket"] == 12.5
    await advance(client, 400)
    live = await get_merchant(client, partner, app_id)
    assert live["merchant_status"] == "live"
    assert [e["event_type"] for e in await events(client, app_id)] == [
        "merchant.new",
        "merchant.sent_for_signature",
        "merchant.signed",
        "merchant.in_underwriting",
        "merchant.boarded",
        "merchant.live",
    ]
    boarded = await v.get("/dashboard/boarded")
    assert f'<td data-label="MID" class="num">{live["mid"]}</td>' in boarded.text
    async with runtime.db.transaction() as session:
        logged = await audit.events(session, merchant_id=None, limit=50)
    created = [e.detail for e in logged if e.action == "application_created"]
    assert {"application_id": app_id, "status": "sent_for_signature"}.items() <= next(
        d for d in created if d["application_id"] == app_id
    ).items()


async def test_a_draft_stays_new_until_it_is_sent(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client, **FAST)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    minimal = {
        "rep_code": partner.rep_code,
        "platform": "fiserv",
        "dba_name": "Quiet Books",
        "signer_first_name": "Li",
        "signer_last_name": "Wu",
        "signer_email": "li@quiet.example.com",
    }
    made = await _submit(v, send="draft", **minimal)
    assert made.status_code == 303, made.text
    app_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    assert made.headers["location"].endswith("?done=drafted")
    await advance(client, 400)
    body = await get_merchant(client, partner, app_id)
    assert (body["merchant_status"], body["auto_send_for_signature"]) == ("new", "N")
    assert (body["addresses"], body["bank_account"], body["platform"]) == ([], None, "fiserv")
    assert [e["event_type"] for e in await events(client, app_id)] == ["merchant.new"]
    page = await v.get(f"/dashboard/applications/{app_id}")
    assert f'action="/dashboard/applications/{app_id}/send_for_signature"' in page.text


async def test_the_apis_errors_are_shown_next_to_their_fields_and_nothing_is_made(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    bad = form(
        partner,
        dba_name="",
        signer_email="not-an-email",
        zip="ABCDE",
        routing_number="021000022",
        account_number="000123456789",
    )
    answer = await _submit(v, send="submit", **bad)
    assert answer.status_code == 400
    html = answer.text
    assert "Not saved: 4 fields to fix, marked below." in html
    assert '<p class="error" id="f-dba_name-error-1">is required</p>' in html
    assert (
        '<p class="error" id="f-signer_email-error-1">must be an e-mail address such as '
        "name@example.com</p>"
    ) in html
    assert (
        '<p class="error" id="f-zip-error-1">must be a US ZIP code: ##### or #####-####</p>' in html
    )
    assert (
        '<p class="error" id="f-routing_number-error-1">fails the ABA routing number checksum</p>'
        in html
    )
    assert "000123456789" not in html  # the account number is not sent back
    assert 'value="Harbor Coffee LLC"' in html  # the rest is kept
    assert await _applications(client, partner) == []
    # Cross-field rules too, each on its own field.
    again = await _submit(v, send="submit", **form(partner, highest_ticket="5"))
    assert again.status_code == 400
    assert (
        '<p class="error" id="f-highest_ticket-error-1">must not be less than average_ticket</p>'
        in again.text
    )
    assert await _applications(client, partner) == []


async def test_another_partners_rep_code_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    mine, theirs = await make_partner(client), await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, mine.partner_id)
    page = await v.get(NEW)
    assert theirs.rep_code not in page.text
    opened = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text)}
    answer = await v.post(NEW, **opened, send="submit", **form(mine, rep_code=theirs.rep_code))
    assert answer.status_code == 400
    assert (
        '<p class="error" id="f-rep_code-error-1">is not one of your rep codes (see /rep_codes)</p>'
        in answer.text
    )
    assert await _applications(client, mine) == []
    assert await _applications(client, theirs) == []


async def test_a_partner_viewer_cannot_create(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_VIEWER, partner.partner_id)
    pipeline = await v.get("/dashboard/applications")
    assert pipeline.status_code == 200 and NEW not in pipeline.text
    assert (await v.get(NEW)).status_code == 403
    posted = await v.post(NEW, csrf=await v.csrf(), send="submit", **form(partner))
    assert posted.status_code == 403
    assert await _applications(client, partner) == []


async def test_a_forged_form_makes_nothing_and_names_render_as_text(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner = await make_partner(client)
    v = await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)
    forged = await v.post(NEW, csrf="forged", send="submit", **form(partner))
    assert forged.status_code == 403
    assert await _applications(client, partner) == []
    made = await _submit(v, send="draft", **form(partner, dba_name="<b>Bold</b> & Co"))
    assert made.status_code == 303
    pipeline = await v.get("/dashboard/applications")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in pipeline.text
    assert "<b>Bold</b>" not in pipeline.text


# ---------------------------------------------------------------- one application per form

_MADE = re.compile(r"^/dashboard/applications/(\d+)\?done=drafted$")


async def _logged(runtime: Runtime, partner: PartnerAccess) -> list[dict[str, Any]]:
    return await audit_details(runtime, "application_created", partner_id=partner.partner_id)


async def _admin(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> tuple[PartnerAccess, Visitor]:
    """A new partner, and its admin signed in."""
    partner = await make_partner(client)
    return partner, await partner_visitor(runtime, visitor, Role.PARTNER_ADMIN, partner.partner_id)


def _made(answer: httpx.Response) -> int:
    """The application a create form's answer sends the user to."""
    return int(redirected_to(answer, _MADE))


async def test_an_application_form_posted_twice_makes_one(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner, v = await _admin(runtime, client, visitor)
    opened = await v.opened(NEW)
    first = await v.post(NEW, **opened, send="draft", **form(partner))
    again = await v.post(NEW, **opened, send="draft", **form(partner))
    same_answers([first, again])
    app_id = _made(first)
    made = await _applications(client, partner)
    assert [(a["merchant_id"], a["dba_name"]) for a in made] == [(app_id, "Harbor Coffee")]
    assert await _logged(runtime, partner) == [{"application_id": app_id, "status": "new"}]

    changed = await v.post(NEW, **opened, send="draft", **form(partner, dba_name="Harbor Tea"))
    assert changed.status_code == 409
    assert (
        '<p class="error" role="alert">This form was already used for a different application: '
        "check Applications, then use this new form.</p>" in changed.text
    )
    assert form_key_of(changed.text) != opened["form_key"]
    assert 'value="Harbor Tea"' in changed.text
    assert len(await _applications(client, partner)) == 1
    assert len(await _logged(runtime, partner)) == 1


async def test_an_application_form_posted_many_times_at_once_makes_one(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner, v = await _admin(runtime, client, visitor)
    made: list[tuple[int, str]] = []
    for round_ in range(4):
        sent = {**await v.opened(NEW), **form(partner, dba_name=f"Shop {round_}")}
        answers = await v.posts_at_once(NEW, 5, send="draft", **sent)
        same_answers(answers)
        made.append((_made(answers[0]), f"Shop {round_}"))
        listed = await _applications(client, partner)
        assert sorted((a["merchant_id"], a["dba_name"]) for a in listed) == made
    assert [d["application_id"] for d in await _logged(runtime, partner)] == [i for i, _ in made]


async def test_a_refused_application_makes_nothing_and_its_new_form_makes_one(
    runtime: Runtime, client: httpx.AsyncClient, visitor: Callable[..., Visitor]
) -> None:
    partner, v = await _admin(runtime, client, visitor)
    opened = await v.opened(NEW)
    refused = await v.post(NEW, **opened, send="draft", **form(partner, zip="ABCDE"))
    assert refused.status_code == 400
    assert "Not saved: 1 field to fix, marked below." in refused.text
    assert '<p class="error" id="f-zip-error-1">must be a US ZIP code' in refused.text
    assert not await key_kept(runtime, opened["form_key"])
    assert await _applications(client, partner) == []
    assert await _logged(runtime, partner) == []
    shown_again = {"csrf": opened["csrf"], "form_key": form_key_of(refused.text)}
    assert shown_again["form_key"] != opened["form_key"]
    app_id = _made(await v.post(NEW, **shown_again, send="draft", **form(partner)))
    assert [a["merchant_id"] for a in await _applications(client, partner)] == [app_id]
    assert [d["application_id"] for d in await _logged(runtime, partner)] == [app_id]


@pytest.mark.parametrize("form_key", [None, "", "k" * 31, "k" * 31 + "!"])
async def test_an_application_form_without_its_key_makes_nothing(
    form_key: str | None,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
) -> None:
    partner, v = await _admin(runtime, client, visitor)
    sent = {"csrf": await v.csrf(), **({} if form_key is None else {"form_key": form_key})}
    refused = await v.post(NEW, **sent, send="draft", **form(partner))
    assert refused.status_code == 422
    assert (
        '<p class="error" role="alert">This form had expired; check it and send it again.</p>'
        in refused.text
    )
    assert "fields to fix" not in refused.text and "field to fix" not in refused.text
    assert 'value="Harbor Coffee LLC"' in refused.text
    assert form_key_of(refused.text) != form_key
    assert await _applications(client, partner) == []
    assert await _logged(runtime, partner) == []
