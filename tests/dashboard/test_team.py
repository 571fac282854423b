"""The team page: a tenant's users, invitations as one-time links, roles, removals."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from homerun.audit import service as audit
from homerun.people import service as people
from homerun.people.models import User
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.boarding.support import make_partner
from tests.conftest import MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor, csrf_of
from tests.people.support import PASSWORD, make_user

TEAM = "/dashboard/team"
_LINK = re.compile(r'<code id="invite-link">([^<]+)</code>')


async def _signed_in(visitor: Callable[..., Visitor], user: User) -> Visitor:
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def _user(runtime: Runtime, email: str) -> User:
    async with runtime.db.transaction() as session:
        return await people.get_user(session, email)


async def _audit_actions(runtime: Runtime, merchant_id: int | None) -> list[tuple[str, str]]:
    async with runtime.db.transaction() as session:
        logged = await audit.events(session, merchant_id=merchant_id, limit=100)
    return [(e.action, str(e.detail.get("user", ""))) for e in logged]


async def test_an_owner_invites_a_user_who_then_signs_in(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    v = await _signed_in(visitor, owner)
    home = await v.get("/dashboard")
    assert f'href="{TEAM}"' in home.text
    page = await v.get(TEAM)
    assert page.status_code == 200
    assert owner.email in page.text
    invited = await v.post(
        f"{TEAM}/invite", csrf=csrf_of(page.text), email="New.Person@Example.com", role="support"
    )
    assert invited.status_code == 200, invited.text
    found = _LINK.search(invited.text)
    assert found is not None
    link = found.group(1)
    base = runtime.settings.public_base_url.rstrip("/")
    assert link.startswith(f"{base}/dashboard/welcome/")
    user = await _user(runtime, "new.person@example.com")
    assert (user.role, user.merchant_id, user.password_hash) == (
        Role.SUPPORT,
        owner.merchant_id,
        None,
    )
    assert '<span class="badge badge-muted">Invited</span>' in invited.text
    # The link works once, in another browser.
    guest = visitor()
    path = link.removeprefix(base)
    welcome = await guest.get(path)
    assert welcome.status_code == 200
    set_pw = await guest.post(path, csrf=csrf_of(welcome.text), password=PASSWORD, confirm=PASSWORD)
    assert set_pw.status_code == 303, set_pw.text
    assert (await guest.sign_in("new.person@example.com")).status_code == 303
    actions = await _audit_actions(runtime, owner.merchant_id)
    assert ("user_created", "new.person@example.com") in actions
    assert ("user_invited", "new.person@example.com") in actions
    # The page does not show the link again.
    assert _LINK.search((await v.get(TEAM)).text) is None


async def test_an_invitation_with_a_bad_email_or_role_changes_nothing(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    admin = await make_user(runtime, Role.ADMIN, mid=merchant.mid)
    v = await _signed_in(visitor, owner)
    csrf = await v.csrf()
    bad = await v.post(f"{TEAM}/invite", csrf=csrf, email="nobody", role="viewer")
    assert bad.status_code == 400
    assert '<p class="error" id="invite-email-error">not an email address</p>' in bad.text
    partner_role = await v.post(f"{TEAM}/invite", csrf=csrf, email="p@x.example", role="operator")
    assert partner_role.status_code == 400
    assert (
        '<p class="error" id="invite-role-error">is not a role you may give</p>'
        in partner_role.text
    )
    taken = await v.post(f"{TEAM}/invite", csrf=csrf, email=admin.email, role="viewer")
    assert taken.status_code == 409
    assert "a user with that email exists" in taken.text
    # An admin may not hand out ownership.
    a = await _signed_in(visitor, admin)
    page = await a.get(TEAM)
    assert '<option value="owner">' not in page.text
    owner_by_admin = await a.post(
        f"{TEAM}/invite", csrf=csrf_of(page.text), email="o2@x.example", role="owner"
    )
    assert owner_by_admin.status_code == 400
    async with runtime.db.transaction() as session:
        users = await people.list_users(session, merchant_id=owner.merchant_id)
    assert sorted(u.email for u in users) == sorted([owner.email, admin.email])


async def test_an_owner_changes_a_role_and_removes_a_user(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    viewer = await make_user(runtime, Role.VIEWER, mid=merchant.mid)
    its_browser = await _signed_in(visitor, viewer)
    v = await _signed_in(visitor, owner)
    csrf = await v.csrf()
    changed = await v.post(f"{TEAM}/{viewer.id}/role", csrf=csrf, role="developer")
    assert changed.status_code == 303 and changed.headers["location"] == f"{TEAM}?done=role"
    assert (await _user(runtime, viewer.email)).role is Role.DEVELOPER
    # The new role applies at once: the old session ended.
    assert (await its_browser.get("/dashboard")).status_code == 303
    removed = await v.post(f"{TEAM}/{viewer.id}/remove", csrf=csrf)
    assert removed.status_code == 303
    assert (await _user(runtime, viewer.email)).disabled is True
    page = await v.get(TEAM, done="removed")
    assert "The user is removed and signed out." in page.text
    assert '<span class="badge badge-bad">Removed</span>' in page.text
    assert (await visitor().sign_in(viewer.email)).status_code != 303
    actions = await _audit_actions(runtime, owner.merchant_id)
    assert ("role_changed", viewer.email) in actions
    assert ("user_disabled", viewer.email) in actions


async def test_the_last_owner_can_neither_leave_nor_step_down(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    v = await _signed_in(visitor, owner)
    csrf = await v.csrf()
    demote = await v.post(f"{TEAM}/{owner.id}/role", csrf=csrf, role="admin")
    assert demote.status_code == 409
    assert (
        f"Not done: {owner.email} is the last owner: make someone else owner first." in demote.text
    )
    leave = await v.post(f"{TEAM}/{owner.id}/remove", csrf=csrf)
    assert leave.status_code == 409
    after = await _user(runtime, owner.email)
    assert (after.role, after.disabled) == (Role.OWNER, False)
    # With a second owner, the first may step down.
    second = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    assert (await v.post(f"{TEAM}/{owner.id}/role", csrf=csrf, role="admin")).status_code == 303
    assert (await _user(runtime, owner.email)).role is Role.ADMIN
    assert (await _user(runtime, second.email)).role is Role.OWNER


async def test_an_admin_cannot_touch_an_owner(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    await make_user(runtime, Role.OWNER, mid=merchant.mid)
    admin = await make_user(runtime, Role.ADMIN, mid=merchant.mid)
    a = await _signed_in(visitor, admin)
    csrf = await a.csrf()
    refused = await a.post(f"{TEAM}/{owner.id}/remove", csrf=csrf)
    assert refused.status_code == 409
    assert "Not done: only an owner may change an owner." in refused.text
    assert (await _user(runtime, owner.email)).disabled is False


async def test_roles_without_manage_users_get_403_and_no_link(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    for role in (Role.DEVELOPER, Role.SUPPORT, Role.VIEWER):
        user = await make_user(runtime, role, mid=merchant.mid)
        v = await _signed_in(visitor, user)
        assert f'href="{TEAM}"' not in (await v.get("/dashboard")).text
        assert (await v.get(TEAM)).status_code == 403
        csrf = await v.csrf()
        posted = await v.post(f"{TEAM}/invite", csrf=csrf, email="x@y.example", role="viewer")
        assert posted.status_code == 403
        assert (await v.post(f"{TEAM}/{owner.id}/remove", csrf=csrf)).status_code == 403
    assert (await _user(runtime, owner.email)).disabled is False
    async with runtime.db.transaction() as session:
        users = await people.list_users(session, merchant_id=owner.merchant_id)
    assert len(users) == 4 and "x@y.example" not in [u.email for u in users]


async def test_another_tenants_user_is_not_found(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a, b = await make_merchant(), await make_merchant()
    owner_a = await make_user(runtime, Role.OWNER, mid=a.mid)
    owner_b = await make_user(runtime, Role.OWNER, mid=b.mid)
    viewer_b = await make_user(runtime, Role.VIEWER, mid=b.mid)
    partner = await make_partner(client)
    partner_user = await make_user(runtime, Role.PARTNER_ADMIN, partner_id=partner.partner_id)
    v = await _signed_in(visitor, owner_a)
    page = await v.get(TEAM)
    assert owner_b.email not in page.text and partner_user.email not in page.text
    csrf = csrf_of(page.text)
    for action, form in (("role", {"role": "admin"}), ("remove", {}), ("invite", {})):
        answer = await v.post(f"{TEAM}/{viewer_b.id}/{action}", csrf=csrf, **form)
        assert answer.status_code == 404, action
    for bad in ("abc", "0", "99999999999999999999999"):
        assert (await v.post(f"{TEAM}/{bad}/remove", csrf=csrf)).status_code == 404
    after = await _user(runtime, viewer_b.email)
    assert (after.role, after.disabled) == (Role.VIEWER, False)
    # A partner admin manages its partner's users, with partner roles only.
    p = await _signed_in(visitor, partner_user)
    page = await p.get(TEAM)
    assert partner_user.email in page.text and owner_a.email not in page.text
    assert '<option value="partner_viewer">Partner viewer</option>' in page.text
    assert '<option value="viewer">' not in page.text
    assert (await p.post(f"{TEAM}/{owner_a.id}/remove", csrf=csrf_of(page.text))).status_code == 404


async def test_a_new_link_for_an_invited_user(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    pending = await make_user(runtime, Role.VIEWER, mid=merchant.mid, password=None)
    v = await _signed_in(visitor, owner)
    page = await v.get(TEAM)
    assert f'action="{TEAM}/{pending.id}/invite"' in page.text
    assert f'action="{TEAM}/{owner.id}/invite"' not in page.text  # has a password
    answer = await v.post(f"{TEAM}/{pending.id}/invite", csrf=csrf_of(page.text))
    assert answer.status_code == 200
    found = _LINK.search(answer.text)
    assert found is not None
    welcome = await visitor().get(
        found.group(1).removeprefix(runtime.settings.public_base_url.rstrip("/"))
    )
    assert welcome.status_code == 200 and pending.email in welcome.text
