"""Payment links: hosted payment pages listed, created, edited, disabled and enabled from the
dashboard through hpp's own service functions, seen through the API they share."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess, MerchantFactory
from tests.dashboard.forms import field_error, signed_in
from tests.dashboard.support import (
    Visitor,
    audit_details,
    form_key_of,
    key_kept,
    redirected_to,
    same_answers,
)

LINKS = "/dashboard/links"
NEW = LINKS + "/new"
MADE = re.compile(r"^/dashboard/links/([0-9A-F]{32})\?done=created$")
BASE = "http://127.0.0.1:8000"  # the settings' public_base_url


async def api_page(client: httpx.AsyncClient, m: MerchantAccess, client_id: str) -> dict[str, Any]:
    answer = await client.get(f"/homerun/v1/hpp/{client_id}", headers=m.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def api_count(client: httpx.AsyncClient, m: MerchantAccess) -> int:
    answer = await client.get("/homerun/v1/hpp", headers=m.headers)
    assert answer.status_code == 200, answer.text
    count: int = answer.json()["count"]
    return count


async def api_create(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> str:
    answer = await client.post("/api/v1/hpp", json={"cc_mid": m.mid, **fields}, headers=m.headers)
    assert answer.status_code == 200, answer.text
    client_id: str = answer.json()["client_id"]
    return client_id


async def create(v: Visitor, **fields: str) -> str:
    return made_id(await v.form(NEW, LINKS, **fields))


async def changes(v: Visitor, client_id: str, csrf: str) -> list[int]:
    """What a create, an edit and a disable posted with `csrf` are answered."""
    return [
        (await v.post(LINKS, csrf=csrf, name="Mine")).status_code,
        (await v.post(f"{LINKS}/{client_id}", csrf=csrf, name="Mine")).status_code,
        (await v.post(f"{LINKS}/{client_id}/disable", csrf=csrf)).status_code,
    ]


def _option(name: str, *, required: bool, label: str | None = None, **kept: Any) -> dict[str, Any]:
    return {
        "name": name,
        "value": kept.get("value"),
        "is_readonly": kept.get("is_readonly", False),
        "is_required": required,
        "label": label,
    }


async def test_an_owner_creates_edits_disables_and_enables_a_link(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    empty = await v.get(LINKS)
    assert empty.status_code == 200
    assert "No payment links yet." in empty.text
    assert 'href="/dashboard/links/new"' in empty.text
    assert (await v.get(f"{LINKS}/new")).status_code == 200

    client_id = await create(
        v,
        name="Invoice 1042",
        amount="$1,012.50",
        lock_amount="on",
        opt_email="required",
        opt_custom_01="optional",
        label_custom_01="Order reference",
        label_custom_02="not asked, so not kept",
    )
    url = f"{BASE}/payment?client_id={client_id}"
    stored = await api_page(client, merchant, client_id)
    assert {k: stored[k] for k in ("name", "amount", "lock_amount", "status", "url")} == {
        "name": "Invoice 1042",
        "amount": "1012.50",
        "lock_amount": True,
        "status": "active",
        "url": url,
    }
    assert (stored["min_amount"], stored["max_amount"], stored["name_on_account"]) == (
        None,
        None,
        None,
    )
    assert stored["disable_after_payment"] is False
    assert stored["hpp_options"] == [
        _option("email", required=True),
        _option("custom_01", required=False, label="Order reference"),
    ]

    shown = await v.get(f"{LINKS}/{client_id}", done="created")
    assert shown.status_code == 200
    assert "The link is made." in shown.text
    assert f'<input class="url" id="link-url" type="text" readonly value="{url}"' in shown.text
    assert "<dd>$1,012.50, fixed</dd>" in shown.text
    assert "<dd>Email (required), Custom field 1</dd>" in shown.text
    listed = await v.get(LINKS)
    assert f'<a href="/dashboard/links/{client_id}">Invoice 1042</a>' in listed.text
    assert f'id="url-{client_id}" type="text" readonly value="{url}"' in listed.text
    assert '<span class="badge badge-good">Active</span>' in listed.text
    assert "1 to 1 of 1, newest first." in listed.text

    edited = await v.post(
        f"{LINKS}/{client_id}",
        csrf=await v.csrf(),
        name="Invoice 1042 (corrected)",
        amount="15",
        min_amount="10",
        max_amount="20.00",
        disable_after_payment="on",
        opt_email="optional",
    )
    assert (edited.status_code, edited.headers["location"]) == (
        303,
        f"{LINKS}/{client_id}?done=saved",
    )
    stored = await api_page(client, merchant, client_id)
    assert (stored["name"], stored["amount"], stored["lock_amount"]) == (
        "Invoice 1042 (corrected)",
        "15.00",
        False,
    )
    assert (stored["min_amount"], stored["max_amount"], stored["disable_after_payment"]) == (
        "10.00",
        "20.00",
        True,
    )
    assert stored["hpp_options"] == [_option("email", required=False)]
    assert stored["url"] == url  # the URL stays

    csrf = await v.csrf()
    for _ in range(2):  # posted twice: off once
        off = await v.post(f"{LINKS}/{client_id}/disable", csrf=csrf)
        assert (off.status_code, off.headers["location"]) == (
            303,
            f"{LINKS}/{client_id}?done=disabled",
        )
    stored = await api_page(client, merchant, client_id)
    assert (stored["status"], stored["disabled_reason"]) == ("disabled", "merchant")
    assert (await client.get(f"/payment?client_id={client_id}")).status_code == 410
    disabled = await v.get(LINKS, status="disabled")
    assert '<span class="badge badge-muted">Disabled</span>' in disabled.text
    assert f'action="/dashboard/links/{client_id}/enable"' in disabled.text
    assert "No active links." in (await v.get(LINKS, status="active")).text

    on = await v.post(f"{LINKS}/{client_id}/enable", csrf=csrf, back="list")
    assert (on.status_code, on.headers["location"]) == (303, f"{LINKS}?done=enabled")
    stored = await api_page(client, merchant, client_id)
    assert (stored["status"], stored["disabled_reason"]) == ("active", None)
    assert (await client.get(f"/payment?client_id={client_id}")).status_code == 200

    audit = (await v.get("/dashboard/audit")).text
    assert audit.count("link created</td>") == 1
    assert audit.count("link edited</td>") == 1
    assert audit.count("link disabled</td>") == 1
    assert audit.count("link enabled</td>") == 1
    assert f"amount: 1012.50, client_id: {client_id}" in audit
    assert f"amount: 15.00, client_id: {client_id}" in audit


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"lock_amount": "on"}, "amount", "is required when lock_amount is true"),
        ({"amount": "12.345"}, "amount", "must be a dollar amount with at most 2 decimals"),
        ({"amount": "0"}, "amount", "must be more than 0.00"),
        ({"name": "x" * 201}, "name", "String should have at most 200 characters"),
        ({"name": "Cake\x00"}, "name", "must not contain the NUL character"),
        ({"opt_custom_01": "optional", "label_custom_01": "\x00"}, "label_custom_01", "NUL"),
        ({"min_amount": "30", "max_amount": "20"}, "min_amount", "must not be more than max"),
        ({"amount": "5", "min_amount": "10"}, "amount", "must be between min_amount and max"),
        (
            {"opt_custom_03": "required", "label_custom_03": "y" * 81},
            "label_custom_03",
            "String should have at most 80 characters",
        ),
    ],
)
async def test_a_refused_link_shows_hpps_error_on_its_field_and_makes_nothing(
    fields: dict[str, str],
    field: str,
    message: str,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    refused = await v.form(NEW, LINKS, **fields)
    assert refused.status_code == 422
    assert message in field_error(refused.text, field)
    assert 'aria-invalid="true"' in refused.text
    assert await api_count(client, merchant) == 0
    assert "link created" not in (await v.get("/dashboard/audit")).text


async def test_a_refused_edit_leaves_the_link_as_it_was(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    client_id = await api_create(
        client, merchant, name="Deposit", amount="50.00", min_amount="10", max_amount="100"
    )
    before = await api_page(client, merchant, client_id)
    v = await signed_in(runtime, visitor, merchant)
    refused = await v.post(
        f"{LINKS}/{client_id}",
        csrf=await v.csrf(),
        name="Changed",
        amount="50",
        min_amount="60",
        max_amount="100",
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "amount") == "must be between min_amount and max_amount"
    assert 'value="Changed"' in refused.text  # the form as typed, to correct
    assert await api_page(client, merchant, client_id) == before
    assert "link edited" not in (await v.get("/dashboard/audit")).text


async def test_an_edit_keeps_the_presets_set_through_the_api(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    preset = {"name": "email", "value": "ap@buyer.example", "is_readonly": True}
    preset["is_required"] = True
    client_id = await api_create(client, merchant, name="Rent", hpp_options=[preset])
    v = await signed_in(runtime, visitor, merchant)
    page = await v.get(f"{LINKS}/{client_id}")
    assert "Filled in with “ap@buyer.example”, which the payer cannot change." in page.text
    assert '<option value="required" selected>Required</option>' in page.text
    saved = await v.post(
        f"{LINKS}/{client_id}",
        csrf=await v.csrf(),
        name="Rent, March",
        opt_email="required",
        opt_phone="optional",
    )
    assert saved.status_code == 303
    assert (await api_page(client, merchant, client_id))["hpp_options"] == [
        _option("email", required=True, value="ap@buyer.example", is_readonly=True),
        _option("phone", required=False),
    ]


async def test_a_description_is_shown_as_text(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    client_id = await create(
        v,
        name="<script>alert(1)</script>",
        opt_custom_01="optional",
        label_custom_01='"><img src=x onerror=alert(2)>',
    )
    assert (await api_page(client, merchant, client_id))["name"] == "<script>alert(1)</script>"
    for path in (LINKS, f"{LINKS}/{client_id}"):
        html = (await v.get(path)).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>" not in html and "<img" not in html


async def test_links_are_paged_and_filtered_by_status(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    made = [await api_create(client, merchant, name=f"Link {n}") for n in range(26)]
    off = await client.post(f"/homerun/v1/hpp/{made[3]}/disable", headers=merchant.headers)
    assert off.status_code == 200
    v = await signed_in(runtime, visitor, merchant)
    first = await v.get(LINKS)
    shown = re.findall(r'<a href="/dashboard/links/([0-9A-F]{32})">', first.text)
    assert shown == made[::-1][:25]
    assert "1 to 25 of 26, newest first." in first.text
    assert 'href="/dashboard/links?offset=25" rel="next"' in first.text
    second = await v.get(LINKS, offset="25")
    assert re.findall(r'<a href="/dashboard/links/([0-9A-F]{32})">', second.text) == [made[0]]
    assert 'href="/dashboard/links">Newest links</a>' in second.text
    disabled = await v.get(LINKS, status="disabled")
    assert re.findall(r'<a href="/dashboard/links/([0-9A-F]{32})">', disabled.text) == [made[3]]
    for bad in ({"offset": "-1"}, {"offset": "x"}, {"status": "paid"}):
        assert (await v.get(LINKS, **bad)).status_code == 400


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.VIEWER])
async def test_view_only_roles_see_links_but_change_nothing(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    client_id = await api_create(client, merchant, name="Tickets", amount="30")
    before = await api_page(client, merchant, client_id)
    v = await signed_in(runtime, visitor, merchant, role)
    listed = await v.get(LINKS)
    assert listed.status_code == 200
    assert f'value="{BASE}/payment?client_id={client_id}"' in listed.text
    assert 'href="/dashboard/links/new"' not in listed.text
    assert f'action="/dashboard/links/{client_id}/disable"' not in listed.text
    page = await v.get(f"{LINKS}/{client_id}")
    assert page.status_code == 200
    assert 'id="edit-title"' not in page.text and "/disable" not in page.text
    assert (await v.get(f"{LINKS}/new")).status_code == 403
    assert await changes(v, client_id, await v.csrf()) == [403, 403, 403]
    assert await api_page(client, merchant, client_id) == before
    assert await api_count(client, merchant) == 1


async def test_a_forged_post_changes_nothing(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    client_id = await api_create(client, merchant, name="Tickets")
    before = await api_page(client, merchant, client_id)
    v = await signed_in(runtime, visitor, merchant)
    for csrf in ("", "forged", (await v.csrf())[:-1]):
        assert await changes(v, client_id, csrf) == [403, 403, 403]
    assert await api_page(client, merchant, client_id) == before
    assert await api_count(client, merchant) == 1


async def test_another_merchants_link_is_not_found(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a, b = await make_merchant(name="Merchant A"), await make_merchant(name="Merchant B")
    theirs = await api_create(client, b, name="B's invoice", amount="80")
    before = await api_page(client, b, theirs)
    v = await signed_in(runtime, visitor, a)
    assert (await v.get(f"{LINKS}/{theirs}")).status_code == 404
    assert theirs not in (await v.get(LINKS)).text
    csrf = await v.csrf()
    assert (await v.post(f"{LINKS}/{theirs}", csrf=csrf, name="Taken")).status_code == 404
    for action in ("disable", "enable"):
        assert (await v.post(f"{LINKS}/{theirs}/{action}", csrf=csrf)).status_code == 404
    for path in ("not-an-id", "0" * 32, f"{theirs}/burn"):
        assert (await v.post(f"{LINKS}/{path}", csrf=csrf)).status_code == 404
    assert await api_page(client, b, theirs) == before


# ---------------------------------------------------------------- one link per form


async def api_links(client: httpx.AsyncClient, m: MerchantAccess) -> list[tuple[str, str, str]]:
    """The merchant's links as the API lists them: (client_id, name, amount), newest first."""
    answer = await client.get("/homerun/v1/hpp", headers=m.headers)
    assert answer.status_code == 200, answer.text
    return [(p["client_id"], p["name"], p["amount"]) for p in answer.json()["items"]]


async def links_logged(runtime: Runtime, m: MerchantAccess) -> list[dict[str, Any]]:
    return await audit_details(runtime, "link_created", mid=m.mid)


def made_id(answer: httpx.Response) -> str:
    """The client id of the link a create form's answer sends the user to."""
    return redirected_to(answer, MADE)


async def test_a_link_form_posted_twice_makes_one_link(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    opened = await v.opened(NEW)
    typed = {"name": "Invoice 7", "amount": "40.00", "lock_amount": "on"}
    first = await v.post(LINKS, **opened, **typed)
    again = await v.post(LINKS, **opened, **typed)
    same_answers([first, again])
    client_id = made_id(first)
    assert await api_links(client, merchant) == [(client_id, "Invoice 7", "40.00")]
    assert await links_logged(runtime, merchant) == [{"client_id": client_id, "amount": "40.00"}]

    changed = await v.post(LINKS, **opened, **{**typed, "amount": "45.00"})
    assert changed.status_code == 409
    assert (
        "Not saved: this form was already used for a different link: check Payment links, "
        "then use this new form" in changed.text
    )
    assert form_key_of(changed.text) != opened["form_key"]
    assert 'value="45.00"' in changed.text
    assert await api_links(client, merchant) == [(client_id, "Invoice 7", "40.00")]
    assert len(await links_logged(runtime, merchant)) == 1


async def test_a_link_form_posted_many_times_at_once_makes_one_link(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    made: list[tuple[str, str, str]] = []  # newest first, as listed
    for round_ in range(4):
        form = {**await v.opened(NEW), "name": f"Ticket {round_}", "amount": "9.50"}
        answers = await v.posts_at_once(LINKS, 5, **form)
        same_answers(answers)
        made.insert(0, (made_id(answers[0]), f"Ticket {round_}", "9.50"))
        assert await api_links(client, merchant) == made
    logged = await links_logged(runtime, merchant)
    assert logged == [{"client_id": c, "amount": "9.50"} for c, _, _ in reversed(made)]


async def test_a_refused_link_form_makes_nothing_and_its_new_form_makes_one(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    opened = await v.opened(NEW)
    typed = {"name": "Lessons", "min_amount": "30", "max_amount": "20"}
    # Refused by hpp's own rules, inside the link's unit of work: all of it rolled back.
    refused = await v.post(LINKS, **opened, **typed)
    assert refused.status_code == 422
    assert field_error(refused.text, "min_amount") == "must not be more than max_amount"
    assert not await key_kept(runtime, opened["form_key"])
    assert await api_links(client, merchant) == []
    assert await links_logged(runtime, merchant) == []
    shown_again = {"csrf": opened["csrf"], "form_key": form_key_of(refused.text)}
    assert shown_again["form_key"] != opened["form_key"]
    client_id = made_id(await v.post(LINKS, **shown_again, **{**typed, "max_amount": "300"}))
    assert await api_links(client, merchant) == [(client_id, "Lessons", None)]
    assert await links_logged(runtime, merchant) == [{"client_id": client_id}]


@pytest.mark.parametrize("form_key", [None, "", "k" * 31, "k" * 31 + "!"])
async def test_a_link_form_without_its_key_makes_nothing(
    form_key: str | None,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    sent = {"csrf": await v.csrf(), **({} if form_key is None else {"form_key": form_key})}
    refused = await v.post(LINKS, **sent, name="Invoice 8")
    assert refused.status_code == 422
    assert (
        '<div class="notice notice-error" role="alert"><p>Not saved: this form had expired; '
        "check it and send it again</p></div>" in refused.text
    )
    assert 'value="Invoice 8"' in refused.text
    assert form_key_of(refused.text) != form_key
    assert await api_links(client, merchant) == []
    assert await links_logged(runtime, merchant) == []
