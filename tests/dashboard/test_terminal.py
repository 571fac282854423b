"""The virtual terminal: a card's token (from the card frame) or a saved account charged
through the payments service, once per form, by the roles that may, for their own merchant."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from homerun.audit import service as audit
from homerun.dashboard import terminal
from homerun.errors import Conflict
from homerun.idempotency import service as idempotent
from homerun.merchants import service as merchants
from homerun.payments.models import Transaction
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.ach.helpers import ach_token
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor, csrf_of, form_key_of, redirected_to
from tests.helpers import transaction
from tests.people.support import make_user
from tests.vault.support import ACCOUNTS, tokenize

PAGE = "/dashboard/terminal"
CHARGE = "/dashboard/terminal/charge"
VISA = "4111111111111111"
INSUFFICIENT = "4000000000009995"  # declines 51
_DONE = re.compile(r"^/dashboard/terminal\?done=(\d+)$")


async def card_token(client: httpx.AsyncClient, m: MerchantAccess, pan: str = VISA) -> str:
    """What the card frame does with the number keyed into it: the token it hands back."""
    return await tokenize(client, m, pan)


async def signed_in(
    runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess, role: Role = Role.OWNER
) -> tuple[Visitor, str]:
    user = await make_user(runtime, role, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v, user.email


async def opened(v: Visitor, **params: str) -> dict[str, str]:
    """The terminal opened: its csrf token and its form's one-time key."""
    page = await v.get(PAGE, **params)
    assert page.status_code == 200, page.text
    return {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text)}


async def rows(runtime: Runtime, m: MerchantAccess) -> list[Transaction]:
    async with runtime.db.transaction() as session:
        merchant = await merchants.get(session, m.mid)
        found = await session.scalars(
            select(Transaction)
            .where(Transaction.merchant_id == merchant.id)
            .order_by(Transaction.id)
        )
        return list(found)


async def charged_id(answer: httpx.Response) -> str:
    return redirected_to(answer, _DONE)


async def test_a_keyed_card_is_charged_once_and_its_result_shown(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, email = await signed_in(runtime, visitor, merchant)
    page = await v.get(PAGE)
    policy = page.headers["content-security-policy"]
    assert policy == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'none'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    assert f'data-public-key="{merchant.public_key}"' in page.text
    assert '<script src="/javascripts/1.5.5/runner.js" defer></script>' in page.text
    assert '<a href="/dashboard/terminal" aria-current="page">Terminal</a>' in page.text
    form = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text)}
    token = await card_token(client, merchant)
    fields = {
        **form,
        "source": "card",
        "account_token": token,
        "amount": "25.00",
        "capture": "sale",
        "order_id": "PHONE-1",
        "invoice_id": "INV-77",
    }
    trans_id = await charged_id(await v.post(CHARGE, **fields))

    stored = await transaction(client, merchant, trans_id)
    expected = {
        "state": "captured",
        "result": "A",
        "amount": 2500,
        "amount_authorized": 2500,
        "amount_captured": 2500,
        "order_id": "PHONE-1",
        "invoice_id": "INV-77",
        "user_identifier": email,
        "account_token": token,
        "trans_type": "sale",
    }
    assert {k: stored[k] for k in expected} == expected
    # The same form again (a double click, a reload of the POST): the same result, no charge.
    again = await v.post(CHARGE, **fields)
    assert await charged_id(again) == trans_id
    assert [r.id for r in await rows(runtime, merchant)] == [int(trans_id)]

    shown = await v.get(PAGE, done=trans_id)
    assert shown.status_code == 200
    assert "<strong>Approved</strong>: $25.00 on Visa ···· 1111 · Captured" in shown.text
    assert f'<a href="/dashboard/payments/{trans_id}">View payment {trans_id}</a>' in shown.text
    assert form_key_of(shown.text) != form["form_key"]  # a new form, for the next charge

    async with runtime.db.transaction() as session:
        merchant_id = (await merchants.get(session, merchant.mid)).id
        logged = await audit.events(session, merchant_id=merchant_id, limit=5)
    charges = [e for e in logged if e.action == "charge"]
    assert len(charges) == 1
    assert charges[0].actor == email and charges[0].ip == "192.0.2.9"
    assert charges[0].detail == {
        "trans_id": trans_id,
        "amount": "2500",
        "currency": "USD",
        "capture": "Y",
        "result": "A",
        "source": "card",
    }


async def test_a_form_posted_twice_at_once_charges_once(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second post arrives while the first holds the form's key: it waits, then shows
    the first one's result."""
    refused: list[str] = []
    reserve, charge = idempotent.reserve, terminal.charge

    async def watched_reserve(*args: Any) -> Any:
        try:
            return await reserve(*args)
        except Conflict as busy:
            refused.append(busy.message)
            raise

    async def charge_once_the_second_has_waited(*args: Any) -> Any:
        for _ in range(200):  # the first post's charge starts once the second has waited
            if refused:
                break
            await asyncio.sleep(0.05)
        return await charge(*args)

    monkeypatch.setattr(idempotent, "reserve", watched_reserve)
    monkeypatch.setattr(terminal, "charge", charge_once_the_second_has_waited)
    v, _ = await signed_in(runtime, visitor, merchant)
    form = await opened(v)
    token = await card_token(client, merchant)
    fields = {**form, "source": "card", "account_token": token, "amount": "9.99"}
    first, second = await asyncio.gather(v.post(CHARGE, **fields), v.post(CHARGE, **fields))
    assert refused[0] == "a request with this Idempotency-Key is still running"
    assert await charged_id(first) == await charged_id(second)
    found = await rows(runtime, merchant)
    assert [(r.amount_captured, str(r.id)) for r in found] == [(999, await charged_id(first))]


async def test_the_same_form_with_other_fields_charges_nothing_more(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, _ = await signed_in(runtime, visitor, merchant)
    form = await opened(v)
    token = await card_token(client, merchant)
    fields = {**form, "source": "card", "account_token": token, "amount": "5.00"}
    trans_id = await charged_id(await v.post(CHARGE, **fields))
    changed = await v.post(CHARGE, **{**fields, "amount": "50.00"})
    assert changed.status_code == 409
    assert "This form was already used for a different charge" in changed.text
    assert [str(r.id) for r in await rows(runtime, merchant)] == [trans_id]


async def test_authorize_only_leaves_the_payment_to_capture(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, _ = await signed_in(runtime, visitor, merchant)
    token = await card_token(client, merchant)
    fields = {"source": "card", "account_token": token, "amount": "$1,200.50", "capture": "auth"}
    trans_id = await charged_id(await v.post(CHARGE, **await opened(v), **fields))
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "authorized",
        120050,
        0,
    )
    shown = (await v.get(PAGE, done=trans_id)).text
    assert "<strong>Approved</strong>: $1,200.50 on Visa ···· 1111 · Authorized" in shown


async def test_a_decline_is_shown_with_its_reason(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, _ = await signed_in(runtime, visitor, merchant)
    token = await card_token(client, merchant, INSUFFICIENT)
    fields = {"source": "card", "account_token": token, "amount": "30.00"}
    trans_id = await charged_id(await v.post(CHARGE, **await opened(v), **fields))
    stored = await transaction(client, merchant, trans_id)
    assert (stored["result"], stored["resp_code"], stored["amount_captured"]) == ("C", "51", 0)
    shown = (await v.get(PAGE, done=trans_id)).text
    assert 'class="notice notice-error result" id="result" role="alert"' in shown
    assert "<strong>Declined</strong>: $30.00 on Visa ···· 9995 · Declined" in shown
    assert "<p>Insufficient funds (51)</p>" in shown


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"amount": ""}, 422, "Amount: is required."),
        ({"amount": "12.345"}, 422, "Amount: must be a dollar amount with at most 2 decimals"),
        ({"amount": "0.00"}, 422, "Amount: must be more than $0.00."),
        ({"amount": "-5"}, 422, "Amount: must not be negative."),
        (
            {"account_token": ""},
            422,
            "Card: key in the card number and its expiry in the card form.",
        ),
        ({"order_id": "x" * 65}, 422, "Order ID: must be at most 64 characters."),
        ({"invoice_id": "y" * 65}, 422, "Invoice ID: must be at most 64 characters."),
        ({"form_key": ""}, 422, "Form: it had expired; open the terminal again."),
    ],
)
async def test_bad_input_names_its_field_and_charges_nothing(
    fields: dict[str, str],
    status: int,
    message: str,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, _ = await signed_in(runtime, visitor, merchant)
    token = await card_token(client, merchant)
    base = {"source": "card", "account_token": token, "amount": "10.00", "order_id": "KEEP"}
    answer = await v.post(CHARGE, **{**base, **await opened(v), **fields})
    assert answer.status_code == status
    assert message in answer.text
    assert "<strong>Not charged.</strong>" in answer.text
    assert await rows(runtime, merchant) == []


async def test_a_saved_card_is_found_by_its_vault_id_and_charged(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    made = await client.post(
        ACCOUNTS,
        json={
            "mid": merchant.mid,
            "account_token": VISA,
            "expiration": "11/31",
            "name": "Ana Ruiz",
        },
        headers=merchant.headers,
    )
    assert made.status_code == 200, made.text
    vault_id = str(made.json()["vault_id"])
    v, _ = await signed_in(runtime, visitor, merchant, Role.SUPPORT)
    page = await v.get(PAGE, pay="saved", vault_id=vault_id)
    assert page.status_code == 200
    details = re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page.text)
    assert details == [
        ("Account", "Visa ···· 1111"),
        ("Expires", "11/31"),
        ("Name", "Ana Ruiz"),
        ("Vault ID", vault_id),
    ]
    assert "<script" not in page.text  # nothing is keyed on this form: no frame, no script
    form = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text)}
    fields = {**form, "source": "saved", "vault_id": vault_id, "amount": "42.10"}
    trans_id = await charged_id(await v.post(CHARGE, **fields))
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_captured"], stored["vault_id"]) == (
        "captured",
        4210,
        made.json()["uuid"],
    )


async def test_a_saved_bank_account_is_a_sale_under_r15(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    both = await make_merchant(accepts="both")
    made = await client.post(
        ACCOUNTS,
        json={"mid": both.mid, "account_token": await ach_token(client, both)},
        headers=both.headers,
    )
    assert made.status_code == 200, made.text
    vault_id = str(made.json()["vault_id"])
    v, _ = await signed_in(runtime, visitor, both, Role.ADMIN)
    page = await v.get(PAGE, pay="saved", vault_id=vault_id)
    assert ("Type", "Checking (ACH)") in re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page.text)
    assert 'value="auth"' not in page.text and "cannot be authorized only" in page.text
    form = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text)}
    fields = {**form, "source": "saved", "vault_id": vault_id, "amount": "80.00"}
    # An authorization only, posted anyway: the payments service's R15 rule answers.
    refused = await v.post(CHARGE, **{**fields, "capture": "auth"})
    assert refused.status_code == 422
    assert "Capture: must be &#34;Y&#34; (or absent) for a bank account" in refused.text
    assert await rows(runtime, both) == []
    # The refusal freed the form's key: the corrected form charges.
    trans_id = await charged_id(await v.post(CHARGE, **{**fields, "capture": "sale"}))
    stored = await transaction(client, both, trans_id)
    assert (stored["result"], stored["amount_captured"], stored["card_type"]) == ("A", 8000, "ACH")


async def test_a_bank_account_keyed_into_the_frame_is_an_ach_sale(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    both = await make_merchant(accepts="both")
    token = await ach_token(client, both)  # what the frame's bank-account fields give back
    v, _ = await signed_in(runtime, visitor, both)
    fields = {"source": "card", "account_token": token, "amount": "15.25", "order_id": "ACH-1"}
    trans_id = await charged_id(await v.post(CHARGE, **await opened(v), **fields))
    stored = await transaction(client, both, trans_id)
    expected = {
        "result": "A",
        "card_type": "ACH",
        "settlement_status": "Pending",
        "amount_captured": 1525,
        "order_id": "ACH-1",
    }
    assert {k: stored[k] for k in expected} == expected
    shown = (await v.get(PAGE, done=trans_id)).text
    assert "<strong>Approved</strong>: $15.25 on Bank account ···· 3057 · " in shown


async def test_a_bank_account_on_a_merchant_that_takes_no_ach_is_refused(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    both = await make_merchant(accepts="both")
    token = await ach_token(client, both)
    changed = await client.patch(
        f"/homerun/v1/merchants/{both.mid}", json={"accepts": "cards"}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    v, _ = await signed_in(runtime, visitor, both)
    fields = {"source": "card", "account_token": token, "amount": "10.00"}
    answer = await v.post(CHARGE, **await opened(v), **fields)
    assert answer.status_code == 422
    assert "<strong>Not charged.</strong> This merchant does not take ACH payments." in answer.text
    assert await rows(runtime, both) == []


@pytest.mark.parametrize("role", [Role.DEVELOPER, Role.VIEWER])
async def test_a_role_that_may_not_charge_gets_403_and_charges_nothing(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, _ = await signed_in(runtime, visitor, merchant, role)
    home = await v.get("/dashboard")
    assert 'href="/dashboard/terminal"' not in home.text
    assert (await v.get(PAGE)).status_code == 403
    token = await card_token(client, merchant)
    fields = {"source": "card", "account_token": token, "amount": "10.00"}
    posted = await v.post(CHARGE, csrf=csrf_of(home.text), form_key="k" * 32, **fields)
    assert posted.status_code == 403
    assert await rows(runtime, merchant) == []


async def test_a_post_without_the_session_csrf_token_is_refused(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v, _ = await signed_in(runtime, visitor, merchant)
    form = await opened(v)
    token = await card_token(client, merchant)
    for csrf in ("", "forged", form["csrf"][:-1]):
        fields = {"form_key": form["form_key"], "source": "card", "account_token": token}
        posted = await v.post(CHARGE, csrf=csrf, amount="10.00", **fields)
        assert posted.status_code == 403
    signed_out = visitor()
    assert (await signed_out.post(CHARGE, **form, amount="1.00")).headers["location"] == (
        "/dashboard/sign-in"
    )
    assert await rows(runtime, merchant) == []


async def test_a_user_of_one_merchant_cannot_charge_anothers_saved_account(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a, b = await make_merchant(name="Merchant A"), await make_merchant(name="Merchant B")
    made = await client.post(
        ACCOUNTS,
        json={"mid": b.mid, "account_token": VISA, "expiration": "11/31", "name": "B's customer"},
        headers=b.headers,
    )
    theirs: dict[str, Any] = made.json()
    v, _ = await signed_in(runtime, visitor, a)
    for ref in (str(theirs["vault_id"]), theirs["uuid"]):
        looked = await v.get(PAGE, pay="saved", vault_id=ref)
        assert looked.status_code == 404
        assert "Vault ID: there is no active saved account with this vault ID here." in looked.text
        assert "B&#39;s customer" not in looked.text
        form = await opened(v)  # a form of its own: the post names B's account
        fields = {**form, "source": "saved", "vault_id": ref, "amount": "10.00"}
        posted = await v.post(CHARGE, **fields)
        assert posted.status_code == 404
        assert "Saved account: there is no active saved account with this vault ID here." in (
            posted.text
        )
    assert await rows(runtime, a) == [] and await rows(runtime, b) == []


async def test_a_merchant_with_no_live_key_cannot_key_cards_in(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    revoked = await client.delete(
        f"/homerun/v1/merchants/{merchant.mid}/credentials/{merchant.credential_id}",
        headers=ADMIN,
    )
    assert revoked.status_code in (200, 204), revoked.text
    v, _ = await signed_in(runtime, visitor, merchant)
    page = await v.get(PAGE)
    assert "This merchant has no live API key" in page.text
    assert "data-public-key" not in page.text and "<script" not in page.text
    assert '<button type="submit" class="primary wide" id="charge" disabled>' in page.text
