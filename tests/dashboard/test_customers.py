"""The Customers and Billing plans pages: the vault's holders found by name and last four,
a customer's accounts and plans, plans made and cancelled through billing, who may, and
another merchant's people."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from homerun.billing.models import BillingPlan
from homerun.merchants import service as merchants
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.ach.helpers import ach_token
from tests.billing.support import clock_now, get_plan
from tests.conftest import MerchantAccess, MerchantFactory
from tests.dashboard.support import (
    Visitor,
    audit_details,
    form_key_of,
    key_kept,
    same_answers,
    signed_in,
)
from tests.dashboard.test_deposits import table
from tests.settlement.support import utc_merchant
from tests.vault.support import ACCOUNTS, created

ERROR = re.compile(r'<p class="error" id="plan-([a-z]+)-error">([^<]+)</p>')
CANCEL = re.compile(r'action="/dashboard/plans/(\d+)/cancel"')


async def _vault(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, dict[str, Any]]:
    """Ann (a Visa card and a checking account) and Bob (a Mastercard), in that order."""
    ann = await created(client, m, "4111111111111111", name="Ann Lee", email="ann@example.com")
    token = await ach_token(client, m)
    body = {"mid": m.mid, "account_token": token, "vault_holder_id": ann["vault_holder_id"]}
    bank = await client.post(ACCOUNTS, json={**body, "name": "Ann Lee"}, headers=m.headers)
    assert bank.status_code == 200, bank.text
    bob = await created(
        client, m, "5555555555554444", name='Bob <b>"&</b>', nickname="<script>x()</script>"
    )
    return {"ann": ann, "bank": bank.json(), "bob": bob}


async def _plan_count(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(BillingPlan)) or 0)


def _local(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M")


async def _owners_plan(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    m: MerchantAccess,
    customer: dict[str, Any],
) -> tuple[str, dict[str, str], int]:
    """A weekly plan made by the merchant's owner on this account: the customer's page,
    the form that made it, and the plan's id."""
    owner = await signed_in(runtime, visitor, m, Role.OWNER)
    path = f"/dashboard/customers/{customer['vault_holder_id']}"
    start = await clock_now(client) + timedelta(days=3)
    form = {
        "account": customer["uuid"],
        "name": "Box",
        "amount": "5.00",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "rule": "FREQ=WEEKLY;COUNT=2",
    }
    assert (await owner.form(path, f"{path}/plans", **form)).status_code == 303
    plan_id = int(CANCEL.findall((await owner.get(path)).text)[0])
    return path, form, plan_id


async def test_finding_customers_and_a_customers_accounts(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name="Vault Store", accepts="both")
    made = await _vault(client, m)
    v = await signed_in(runtime, visitor, m, Role.DEVELOPER)
    assert 'href="/dashboard/customers"' in (await v.get("/dashboard")).text

    listed = await v.get("/dashboard/customers")
    assert listed.status_code == 200
    rows = table(listed.text, "Customers, newest first")
    assert [(r["Name"], r["Payment accounts"]) for r in rows] == [
        ("Bob &lt;b&gt;&#34;&amp;&lt;/b&gt;", "Mastercard ···· 4444"),
        ("Ann Lee", "Visa ···· 1111, Checking ···· 3057"),
    ]
    assert "<b>" not in listed.text.split("<main", 1)[1]  # the name is text, not markup
    found = table((await v.get("/dashboard/customers", name="ANN")).text, "Customers, newest first")
    assert [r["Name"] for r in found] == ["Ann Lee"]
    found = table(
        (await v.get("/dashboard/customers", last_four="4444")).text, "Customers, newest first"
    )
    assert [r["Name"] for r in found] == ["Bob &lt;b&gt;&#34;&amp;&lt;/b&gt;"]
    nothing = await v.get("/dashboard/customers", name="%")
    assert "No customers match." in nothing.text  # a wildcard is a character like any other
    bad = await v.get("/dashboard/customers", last_four="12")
    assert bad.status_code == 400
    assert '<p class="error" id="last_four-error">Enter the last 4 digits' in bad.text
    assert (await v.get("/dashboard/customers", before="x")).status_code == 400

    page = await v.get(f"/dashboard/customers/{made['ann']['vault_holder_id']}")
    assert page.status_code == 200 and '<h1 class="wrap">Ann Lee</h1>' in page.text
    assert table(page.text, "Payment accounts") == [
        {
            "Account": "Visa ···· 1111",
            "Kind": "Card",
            "Expires": "12/30",
            "Name on it": "Ann Lee",
            "E-mail": "ann@example.com",
            "Status": "Default",
        },
        {
            "Account": "Checking ···· 3057",
            "Kind": "Bank account",
            "Expires": "—",
            "Name on it": "Ann Lee",
            "E-mail": "—",
            "Status": "Active",
        },
    ]
    assert "No billing plans for this customer." in page.text
    assert "New billing plan" not in page.text  # a developer may look, not make plans
    bob = (await v.get(f"/dashboard/customers/{made['bob']['vault_holder_id']}")).text
    assert "&lt;script&gt;x()&lt;/script&gt;" in bob and "<script>" not in bob


async def test_a_plan_made_and_cancelled_through_billing(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name="Plan Store", accepts="both")
    made = await _vault(client, m)
    holder = made["ann"]["vault_holder_id"]
    path = f"/dashboard/customers/{holder}"
    v = await signed_in(runtime, visitor, m, Role.SUPPORT)
    start = (await clock_now(client) + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    form = {
        "account": made["ann"]["uuid"],
        "name": "Gym <b>",
        "description": "Monthly & more",
        "amount": "25.00",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "rule": "FREQ=MONTHLY;COUNT=3",
    }
    plans_before = await _plan_count(runtime)

    # Every refusal names its field, and makes nothing.
    for change, field, text in (
        ({"amount": "abc"}, "amount", "Must be a dollar amount with at most 2 decimals"),
        ({"amount": "0"}, "amount", "Must be more than 0.00."),
        ({"name": ""}, "name", "String should have at least 1 character."),
        ({"start": ""}, "start", "Enter when the first payment is, like 2027-01-01 09:00."),
        ({"start": "soon"}, "start", "Enter a date and time, like 2027-01-01 09:00."),
        ({"description": "a\x00b"}, "description", "Must not contain the NUL character."),
        ({"rule": "FREQ=HOURLY"}, "rule", "FREQ=HOURLY would charge more often than once a day."),
        (
            {"account": made["bob"]["uuid"]},
            "account",
            "Choose one of this customer&#39;s accounts.",
        ),
    ):
        refused = await v.form(path, f"{path}/plans", **{**form, **change})
        assert refused.status_code == 400, (change, refused.text)
        errors = dict(ERROR.findall(refused.text))
        assert list(errors) == [field], (change, errors)
        assert text in errors[field], (change, errors)
    assert await _plan_count(runtime) == plans_before

    done = await v.form(path, f"{path}/plans", **form)
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=created"
    page = (await v.get(done.headers["location"])).text
    assert "The billing plan was created." in page
    [row] = table(page, "This customer&#39;s billing plans")
    assert row == {
        "Plan": "Gym &lt;b&gt;Monthly &amp; more",
        "Amount": "$25.00",
        "Schedule": f"DTSTART;TZID=UTC:{start:%Y%m%dT%H%M%S} RRULE:FREQ=MONTHLY;COUNT=3",
        "Status": "Active",
        "Next run": _local(start),
        "Account": "Visa ···· 1111",
        "Actions": "Cancel plan Gym &lt;b&gt;",
    }
    plan_id = int(CANCEL.findall(page)[0])
    plan = await get_plan(client, m, plan_id)
    assert (plan["amount"], plan["status"], len(plan["scheduled_payments"])) == (
        "25.00",
        "ACTIVE",
        3,
    )
    assert plan["payment_account_uuid"] == made["ann"]["uuid"]

    listed = await v.get("/dashboard/plans")
    [row] = table(listed.text, "Billing plans, newest first")
    assert (row["Plan"], row["Next run"]) == ("Gym &lt;b&gt;Monthly &amp; more", _local(start))
    assert f'href="{path}"' in listed.text
    cancelled = await v.form("/dashboard/plans", f"/dashboard/plans/{plan_id}/cancel", back="plans")
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/dashboard/plans?done=cancelled"
    assert (await get_plan(client, m, plan_id))["status"] == "CANCELLED"
    [row] = table((await v.get("/dashboard/plans")).text, "Billing plans, newest first")
    assert (row["Status"], row["Next run"]) == (
        "Cancelledcancelled by the merchant",
        "—",
    )
    # Cancelling again changes nothing and records nothing.
    again = await v.post(f"/dashboard/plans/{plan_id}/cancel", csrf=await v.csrf())
    assert again.status_code == 303 and again.headers["location"] == f"{path}?done=cancelled"
    owner = await signed_in(runtime, visitor, m, Role.OWNER)
    log = (await owner.get("/dashboard/audit")).text
    assert log.count("plan created") == 1 and log.count("plan cancelled") == 1
    assert f"plan_id: {plan_id}" in log and "amount: 25.00" in log


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
async def test_roles_that_may_not_manage_billing(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name=f"Billing {role}", accepts="both")
    made = await _vault(client, m)
    path, form, plan_id = await _owners_plan(runtime, client, visitor, m, made["bob"])
    count = await _plan_count(runtime)
    v = await signed_in(runtime, visitor, m, role)
    page = (await v.get(path)).text
    assert "New billing plan" not in page and "/cancel" not in page
    assert "/cancel" not in (await v.get("/dashboard/plans")).text
    csrf = await v.csrf()
    assert (await v.post(f"{path}/plans", csrf=csrf, **form)).status_code == 403
    assert (await v.post(f"/dashboard/plans/{plan_id}/cancel", csrf=csrf)).status_code == 403
    assert await _plan_count(runtime) == count
    assert (await get_plan(client, m, plan_id))["status"] == "ACTIVE"


async def test_another_merchants_customer_and_plan_are_not_found(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a = await utc_merchant(make_merchant, name="Tenant A", accepts="both")
    b = await utc_merchant(make_merchant, name="Tenant B", accepts="both")
    theirs = await _vault(client, b)
    path, form, plan_id = await _owners_plan(runtime, client, visitor, b, theirs["ann"])
    count = await _plan_count(runtime)

    v = await signed_in(runtime, visitor, a, Role.OWNER)
    csrf = await v.csrf()
    assert (await v.get(path)).status_code == 404
    assert (await v.post(f"{path}/plans", csrf=csrf, **form)).status_code == 404
    assert (await v.post(f"/dashboard/plans/{plan_id}/cancel", csrf=csrf)).status_code == 404
    assert "No customers match." in (await v.get("/dashboard/customers")).text
    assert "No billing plans yet." in (await v.get("/dashboard/plans")).text
    assert await _plan_count(runtime) == count
    assert (await get_plan(client, b, plan_id))["status"] == "ACTIVE"
    for bad in ("nonsense", "0" * 36, "x" * 36):
        assert (await v.get(f"/dashboard/customers/{bad}")).status_code == 404
    assert (await v.post("/dashboard/plans/abc/cancel", csrf=csrf)).status_code == 404


# ---------------------------------------------------------------- one plan per form


async def _plans_of(runtime: Runtime, m: MerchantAccess) -> list[tuple[str, int]]:
    """The merchant's plans, oldest first: (name, amount in cents)."""
    async with runtime.db.transaction() as session:
        merchant = await merchants.get(session, m.mid)
        found = await session.scalars(
            select(BillingPlan)
            .where(BillingPlan.merchant_id == merchant.id)
            .order_by(BillingPlan.id)
        )
        return [(p.name, p.amount) for p in found]


async def _plans_logged(runtime: Runtime, m: MerchantAccess) -> list[dict[str, Any]]:
    return await audit_details(runtime, "plan_created", mid=m.mid)


async def _plan_form(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> tuple[MerchantAccess, Visitor, str, dict[str, str]]:
    """A support user on Ann's page: the merchant, their browser, the page, the plan typed."""
    m = await utc_merchant(make_merchant, name="Once Store", accepts="both")
    ann = (await _vault(client, m))["ann"]
    v = await signed_in(runtime, visitor, m, Role.SUPPORT)
    start = (await clock_now(client) + timedelta(days=2)).replace(second=0, microsecond=0)
    typed = {
        "account": ann["uuid"],
        "name": "Coffee club",
        "amount": "12.00",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "rule": "FREQ=WEEKLY;COUNT=4",
    }
    return m, v, f"/dashboard/customers/{ann['vault_holder_id']}", typed


async def test_a_plan_form_posted_twice_makes_one_plan(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m, v, path, typed = await _plan_form(runtime, client, visitor, make_merchant)
    opened = await v.opened(path)
    first = await v.post(f"{path}/plans", **opened, **typed)
    again = await v.post(f"{path}/plans", **opened, **typed)  # a reload of the POST
    assert same_answers([first, again]) == (303, f"{path}?done=created")
    assert await _plans_of(runtime, m) == [("Coffee club", 1200)]
    [logged] = await _plans_logged(runtime, m)
    assert {k: v for k, v in logged.items() if k != "plan_id"} == {
        "amount": "12.00",
        "currency": "USD",
        "rrule_pattern": f"DTSTART;TZID=UTC:{typed['start'].replace('-', '').replace(':', '')}00"
        "\nRRULE:FREQ=WEEKLY;COUNT=4",
    }

    # The same form with other fields: refused, and a new form to make another plan with.
    changed = await v.post(f"{path}/plans", **opened, **{**typed, "amount": "15.00"})
    assert changed.status_code == 409
    assert (
        "This form was already used for a different plan: check Billing plans, then use this "
        "new form." in changed.text
    )
    assert form_key_of(changed.text) not in (opened["form_key"], "")
    assert 'value="15.00"' in changed.text  # what was typed is shown again
    assert await _plans_of(runtime, m) == [("Coffee club", 1200)]
    assert len(await _plans_logged(runtime, m)) == 1


async def test_a_plan_form_posted_many_times_at_once_makes_one_plan(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m, v, path, typed = await _plan_form(runtime, client, visitor, make_merchant)
    for round_ in range(4):
        form = {**await v.opened(path), **typed, "name": f"Club {round_}"}
        answers = await v.posts_at_once(f"{path}/plans", 5, **form)
        assert same_answers(answers) == (303, f"{path}?done=created")
        assert await _plans_of(runtime, m) == [(f"Club {n}", 1200) for n in range(round_ + 1)]
    assert len(await _plans_logged(runtime, m)) == 4


async def test_a_refused_plan_form_makes_nothing_and_its_new_form_makes_one(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m, v, path, typed = await _plan_form(runtime, client, visitor, make_merchant)
    opened = await v.opened(path)
    # Refused by billing's own rules, inside the plan's unit of work: all of it rolled back.
    refused = await v.post(f"{path}/plans", **opened, **{**typed, "rule": "FREQ=HOURLY"})
    assert refused.status_code == 400
    assert dict(ERROR.findall(refused.text)) == {
        "rule": "FREQ=HOURLY would charge more often than once a day."
    }
    assert not await key_kept(runtime, opened["form_key"])  # the key was given back
    assert await _plans_of(runtime, m) == []
    assert await _plans_logged(runtime, m) == []
    shown_again = {"csrf": opened["csrf"], "form_key": form_key_of(refused.text)}
    assert shown_again["form_key"] != opened["form_key"]
    made = await v.post(f"{path}/plans", **shown_again, **typed)
    assert (made.status_code, made.headers["location"]) == (303, f"{path}?done=created")
    assert await _plans_of(runtime, m) == [("Coffee club", 1200)]
    assert len(await _plans_logged(runtime, m)) == 1


@pytest.mark.parametrize("form_key", [None, "", "k" * 31, "k" * 31 + "!"])
async def test_a_plan_form_without_its_key_makes_nothing(
    form_key: str | None,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m, v, path, typed = await _plan_form(runtime, client, visitor, make_merchant)
    sent = {"csrf": await v.csrf(), **({} if form_key is None else {"form_key": form_key})}
    refused = await v.post(f"{path}/plans", **sent, **typed)
    assert refused.status_code == 422
    assert (
        '<div class="notice notice-error" role="alert"><p>This form had expired; check it and '
        "send it again.</p></div>" in refused.text
    )
    assert form_key_of(refused.text) != form_key
    assert await _plans_of(runtime, m) == []
    assert await _plans_logged(runtime, m) == []
