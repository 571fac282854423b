"""The roles table, walked: every (role, action) pair, and every cross-tenant pair."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from homerun.boarding import partners
from homerun.boarding.schemas import PartnerCreate
from homerun.dashboard import export
from homerun.people.roles import ALLOWED, TENANT_OF, Action, Role, Tenant, may
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.dashboard.test_terminal import card_token, rows
from tests.helpers import charge, settle, transaction
from tests.people.support import make_user

# The table as the docs state it (docs/dashboard.md): a change to roles.py must change this.
EXPECTED: dict[Role, set[Action]] = {
    Role.OWNER: {
        Action.VIEW_PAYMENTS,
        Action.REFUND,
        Action.CHARGE,
        Action.VIEW_DEPOSITS,
        Action.VIEW_AUDIT,
        Action.MANAGE_USERS,
        Action.MANAGE_CREDENTIALS,
        Action.MANAGE_WEBHOOKS,
        Action.VIEW_CHARGEBACKS,
        Action.RESPOND_CHARGEBACK,
        Action.VIEW_CUSTOMERS,
        Action.MANAGE_BILLING,
        Action.VIEW_PAYMENT_LINKS,
        Action.MANAGE_PAYMENT_LINKS,
        Action.SET_FAULTS,
    },
    Role.ADMIN: {
        Action.VIEW_PAYMENTS,
        Action.REFUND,
        Action.CHARGE,
        Action.VIEW_DEPOSITS,
        Action.MANAGE_USERS,
        Action.MANAGE_CREDENTIALS,
        Action.MANAGE_WEBHOOKS,
        Action.VIEW_CHARGEBACKS,
        Action.RESPOND_CHARGEBACK,
        Action.VIEW_CUSTOMERS,
        Action.MANAGE_BILLING,
        Action.VIEW_PAYMENT_LINKS,
        Action.MANAGE_PAYMENT_LINKS,
        Action.SET_FAULTS,
    },
    Role.DEVELOPER: {
        Action.VIEW_PAYMENTS,
        Action.MANAGE_CREDENTIALS,
        Action.MANAGE_WEBHOOKS,
        Action.VIEW_CUSTOMERS,
        Action.VIEW_PAYMENT_LINKS,
        Action.MANAGE_PAYMENT_LINKS,
        Action.SET_FAULTS,
    },
    Role.SUPPORT: {
        Action.VIEW_PAYMENTS,
        Action.REFUND,
        Action.CHARGE,
        Action.VIEW_CHARGEBACKS,
        Action.RESPOND_CHARGEBACK,
        Action.VIEW_CUSTOMERS,
        Action.MANAGE_BILLING,
        Action.VIEW_PAYMENT_LINKS,
    },
    Role.VIEWER: {
        Action.VIEW_PAYMENTS,
        Action.VIEW_DEPOSITS,
        Action.VIEW_CHARGEBACKS,
        Action.VIEW_CUSTOMERS,
        Action.VIEW_PAYMENT_LINKS,
    },
    Role.PARTNER_ADMIN: {Action.MANAGE_USERS, Action.VIEW_BOARDING, Action.MANAGE_BOARDING},
    Role.PARTNER_VIEWER: {Action.VIEW_BOARDING},
    Role.OPERATOR: {
        Action.VIEW_AUDIT,
        Action.MANAGE_USERS,
        Action.VIEW_BOARDING,
        Action.MANAGE_BOARDING,
        Action.VIEW_INSTANCE,
        Action.MOVE_CLOCK,
        Action.OPEN_CHARGEBACK,
        Action.RETURN_ACH,
    },
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_role_and_action_pair(role: Role, action: Action) -> None:
    assert may(role, action) is (action in EXPECTED[role])


def test_the_table_names_every_action_and_only_roles_of_known_tenants() -> None:
    assert set(ALLOWED) == set(Action)
    assert set(TENANT_OF) == set(Role)


async def _signed_in(
    runtime: Runtime, visitor: Callable[..., Visitor], role: Role, mid: str, partner_id: int
) -> Visitor:
    tenant = TENANT_OF[role]
    user = await make_user(
        runtime,
        role,
        mid=mid if tenant is Tenant.MERCHANT else None,
        partner_id=partner_id if tenant is Tenant.PARTNER else None,
    )
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


@pytest.fixture
async def partner_id(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        made = await partners.create_partner(session, runtime, PartnerCreate(name="Walk Partner"))
        return made.id


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_over_http(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
    partner_id: int,
) -> None:
    """Each page-backed action, asked for by each role: allowed, or 403 and nothing done."""
    answer = await charge(client, merchant, amount=5000)
    trans_id = answer.json()["trans_id"]
    await settle(client, merchant)
    v = await _signed_in(runtime, visitor, role, merchant.mid, partner_id)
    csrf = await v.csrf()
    home = await v.get("/dashboard")
    tenant = {Tenant.MERCHANT: "Test Store", Tenant.PARTNER: "Walk Partner"}.get(
        TENANT_OF[role], "Homerun operators"
    )
    assert f'<p class="tenant">{tenant}</p>' in home.text

    views = may(role, Action.VIEW_PAYMENTS)
    listing = await v.get("/dashboard/payments")
    page = await v.get(f"/dashboard/payments/{trans_id}")
    exported = await v.get("/dashboard/payments.csv")
    codes = (listing.status_code, page.status_code, exported.status_code)
    assert codes == ((200, 200, 200) if views else (403, 403, 403))
    assert (f"\r\n{trans_id}," in exported.text) is views
    assert ('href="/dashboard/payments"' in home.text) is views

    refunds = may(role, Action.REFUND)
    assert (f'action="/dashboard/payments/{trans_id}/refund"' in page.text) is refunds
    seen = "settled:5000:5000:0"  # what an allowed role's form carries
    assert await v.seen(trans_id) == (seen if refunds else "")
    posted = await v.post(
        f"/dashboard/payments/{trans_id}/refund", csrf=csrf, seen=seen, amount="1.00"
    )
    assert posted.status_code == (303 if refunds else 403)
    refunded = (await transaction(client, merchant, trans_id))["amount_refunded"]
    assert refunded == (100 if refunds else 0)

    charges = may(role, Action.CHARGE)
    assert (await v.get("/dashboard/terminal")).status_code == (200 if charges else 403)
    assert ('href="/dashboard/terminal"' in home.text) is charges
    token = await card_token(client, merchant)
    keyed = await v.post(
        "/dashboard/terminal/charge",
        csrf=csrf,
        form_key="f" * 32,
        source="card",
        account_token=token,
        amount="3.00",
    )
    assert keyed.status_code == (303 if charges else 403)
    made = [r.amount_captured for r in await rows(runtime, merchant) if r.amount_requested == 300]
    assert made == ([300] if charges else [])

    deposits = may(role, Action.VIEW_DEPOSITS)
    assert (await v.get("/dashboard/deposits")).status_code == (200 if deposits else 403)
    assert ('href="/dashboard/deposits"' in home.text) is deposits

    keys = may(role, Action.MANAGE_CREDENTIALS)
    developers = await v.get("/dashboard/developers")
    assert developers.status_code == (200 if keys else 403)
    assert ('href="/dashboard/developers"' in home.text) is keys
    made = await v.post("/dashboard/developers/keys", csrf=csrf)
    assert made.status_code == (200 if keys else 403)
    listed = await client.get(f"/homerun/v1/merchants/{merchant.mid}/credentials", headers=ADMIN)
    assert len(listed.json()) == (2 if keys else 1)
    rolled = await v.post(f"/dashboard/developers/keys/{merchant.credential_id}/roll", csrf=csrf)
    assert rolled.status_code == (200 if keys else 403)
    hooks = may(role, Action.MANAGE_WEBHOOKS)
    resend = await v.post("/dashboard/developers/deliveries/wh_0000000000000000/resend", csrf=csrf)
    assert resend.status_code == (404 if hooks else 403)

    sees_links = may(role, Action.VIEW_PAYMENT_LINKS)
    assert (await v.get("/dashboard/links")).status_code == (200 if sees_links else 403)
    assert ('href="/dashboard/links"' in home.text) is sees_links
    makes_links = may(role, Action.MANAGE_PAYMENT_LINKS)
    made_link = await v.post("/dashboard/links", csrf=csrf, form_key="w" * 32, name="Walk")
    assert made_link.status_code == (303 if makes_links else 403)
    pages = await client.get(f"/homerun/v1/merchants/{merchant.mid}/hpp", headers=ADMIN)
    assert pages.json()["count"] == (1 if makes_links else 0)

    sets_faults = may(role, Action.SET_FAULTS)
    faults_page = await v.get("/dashboard/developers/faults")
    assert faults_page.status_code == (200 if sets_faults else 403)
    set_faults = await v.post("/dashboard/developers/faults", csrf=csrf, timeout_rate="1")
    assert set_faults.status_code == (303 if sets_faults else 403)
    shown = await client.get(f"/homerun/v1/merchants/{merchant.mid}", headers=ADMIN)
    assert shown.json()["faults"]["timeout_rate"] == ("1.00" if sets_faults else "0.00")

    boards = may(role, Action.VIEW_BOARDING)
    pipeline = await v.get("/dashboard/applications")
    assert pipeline.status_code == (200 if boards else 403)
    assert ('href="/dashboard/applications"' in home.text) is boards

    assert (await v.get("/dashboard/applications/new")).status_code == (
        200 if may(role, Action.MANAGE_BOARDING) else 403
    )
    for path, action in (
        ("/dashboard/chargebacks", Action.VIEW_CHARGEBACKS),
        ("/dashboard/customers", Action.VIEW_CUSTOMERS),
        ("/dashboard/plans", Action.VIEW_CUSTOMERS),
        ("/dashboard/team", Action.MANAGE_USERS),
        ("/dashboard/instance", Action.VIEW_INSTANCE),
        ("/dashboard/clock", Action.MOVE_CLOCK),
        ("/dashboard/payment-tools", Action.OPEN_CHARGEBACK),
    ):
        allowed = may(role, action)
        assert (await v.get(path)).status_code == (200 if allowed else 403), path
        assert (f'href="{path}"' in home.text) is allowed, path

    # Answering a chargeback or cancelling a plan: refused (403) before anything is looked
    # up for a role that may not; an allowed role finds no such row (404).
    for path, action in (
        ("/dashboard/chargebacks/999999/accept", Action.RESPOND_CHARGEBACK),
        ("/dashboard/plans/999999/cancel", Action.MANAGE_BILLING),
    ):
        posted = await v.post(path, csrf=csrf)
        assert posted.status_code == (404 if may(role, action) else 403), path

    audits = may(role, Action.VIEW_AUDIT)
    audit = await v.get("/dashboard/audit")
    assert audit.status_code == (200 if audits else 403)
    assert ('href="/dashboard/audit"' in home.text) is audits


async def test_a_refund_post_without_the_session_csrf_token_is_refused(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
    partner_id: int,
) -> None:
    trans_id = (await charge(client, merchant, amount=700)).json()["trans_id"]
    await settle(client, merchant)
    v = await _signed_in(runtime, visitor, Role.OWNER, merchant.mid, partner_id)
    for csrf in ("", "forged", (await v.csrf())[:-1]):
        forged = await v.post(
            f"/dashboard/payments/{trans_id}/refund", csrf=csrf, seen="settled:700:700:0"
        )
        assert forged.status_code == 403
    assert (await transaction(client, merchant, trans_id))["amount_refunded"] == 0


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.SUPPORT, Role.VIEWER])
async def test_a_user_of_one_merchant_never_reaches_anothers_payment(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
    partner_id: int,
) -> None:
    a, b = await make_merchant(name="Merchant A"), await make_merchant(name="Merchant B")
    theirs = (await charge(client, b, amount=900, order_id="B-ONLY")).json()["trans_id"]
    await settle(client, b)
    v = await _signed_in(runtime, visitor, role, a.mid, partner_id)
    assert (await v.get(f"/dashboard/payments/{theirs}")).status_code == 404
    listing = await v.get("/dashboard/payments", order_id="B-ONLY")
    assert f'href="/dashboard/payments/{theirs}"' not in listing.text
    assert "No payments match." in listing.text
    exported = await v.get("/dashboard/payments.csv", order_id="B-ONLY")
    assert exported.text == ",".join(export.HEADER) + "\r\n"  # the header alone
    posted = await v.post(
        f"/dashboard/payments/{theirs}/refund",
        csrf=await v.csrf(),
        seen="settled:900:900:0",
        amount="1.00",
    )
    assert posted.status_code == (404 if may(role, Action.REFUND) else 403)
    assert (await transaction(client, b, theirs))["amount_refunded"] == 0


async def test_an_owner_sees_only_their_merchants_audit_and_an_operator_sees_all(
    runtime: Runtime,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
    partner_id: int,
) -> None:
    a, b = await make_merchant(name="Audit A"), await make_merchant(name="Audit B")
    owner_a = await make_user(runtime, Role.OWNER, mid=a.mid)
    owner_b = await make_user(runtime, Role.OWNER, mid=b.mid)
    va, vb = visitor(), visitor()
    await va.sign_in(owner_a.email)
    await vb.sign_in(owner_b.email)
    seen_by_a = (await va.get("/dashboard/audit")).text
    assert owner_a.email in seen_by_a and owner_b.email not in seen_by_a
    assert "192.0.2.9" in seen_by_a  # from where
    operator = await _signed_in(runtime, visitor, Role.OPERATOR, a.mid, partner_id)
    everything = (await operator.get("/dashboard/audit")).text
    assert owner_a.email in everything and owner_b.email in everything
