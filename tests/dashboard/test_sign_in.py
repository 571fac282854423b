"""Signing in and out of the dashboard over HTTP: cookies, CSRF, TOTP, links."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
from sqlalchemy import func, select

from homerun.people import service as people
from homerun.people.models import User, UserSession
from homerun.people.roles import Role
from homerun.people.state import LinkPurpose
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess
from tests.dashboard.support import Visitor, csrf_of
from tests.people.support import PASSWORD, TESTS, make_user


async def _sessions_of(runtime: Runtime, user_id: int) -> int:
    async with runtime.db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        )
    return int(count or 0)


async def test_the_root_leads_to_the_dashboard_and_it_to_sign_in(
    visitor: Callable[..., Visitor],
) -> None:
    v = visitor()
    root = await v.get("/")
    assert (root.status_code, root.headers["location"]) == (303, "/dashboard")
    home = await v.get("/dashboard")
    assert (home.status_code, home.headers["location"]) == (303, "/dashboard/sign-in")
    page = await v.get("/dashboard/sign-in")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "<script" not in page.text and "style=" not in page.text
    assert '<label for="email">' in page.text and '<label for="password">' in page.text


async def test_sign_in_sets_a_strict_cookie_and_a_new_session(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    v = visitor()
    first = await v.sign_in(user.email)
    assert (first.status_code, first.headers["location"]) == (303, "/dashboard")
    cookie = next(c for c in first.headers.get_list("set-cookie") if "homerun_session=" in c)
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/dashboard", "samesite=lax", "max-age=43200"} <= flags
    assert "secure" not in flags  # loopback: a developer's http://127.0.0.1
    token = v.http.cookies["homerun_session"]
    home = await v.get("/dashboard")
    assert home.status_code == 200 and user.email in home.text
    # A signed-in browser is sent home from the sign-in page; signing in again anyway
    # (a second tab) ends the session its cookie named: a new id, never the old one.
    assert (await v.get("/dashboard/sign-in")).headers["location"] == "/dashboard"
    tab = visitor()
    form = await tab.get("/dashboard/sign-in")
    tab.http.cookies.set("homerun_session", token, domain="127.0.0.1", path="/dashboard")
    again = await tab.post(
        "/dashboard/sign-in", csrf=csrf_of(form.text), email=user.email, password=PASSWORD
    )
    assert again.status_code == 303 and tab.http.cookies["homerun_session"] != token
    assert await _sessions_of(runtime, user.id) == 1
    assert (await v.get("/dashboard")).status_code == 303  # the old one is gone

    remote = visitor("https://dashboard.example.com")
    answer = await remote.sign_in(user.email)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "homerun_session=" in c)
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


async def test_a_sign_in_without_its_csrf_token_is_refused_and_not_counted(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    v = visitor()
    await v.get("/dashboard/sign-in")
    forged = await v.post("/dashboard/sign-in", email=user.email, password=PASSWORD)
    assert forged.status_code == 403 and "The form had expired" in forged.text
    wrong = await v.post("/dashboard/sign-in", email=user.email, password=PASSWORD, csrf="x" * 43)
    assert wrong.status_code == 403
    assert "homerun_session" not in v.http.cookies
    assert await _sessions_of(runtime, user.id) == 0
    async with runtime.db.transaction() as session:
        stored = await session.get(User, user.id)
        assert stored is not None and stored.failed_sign_ins == 0


async def test_a_wrong_password_shows_the_form_again_with_the_email(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    answer = await visitor().sign_in(user.email, "not the right one")
    assert answer.status_code == 401
    assert people.SIGN_IN_REFUSED.replace("'", "&#39;") in answer.text
    assert f'value="{user.email}"' in answer.text and "not the right one" not in answer.text


async def test_sign_in_with_a_totp_code(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    async with runtime.db.transaction() as session:
        row = await session.get(User, user.id)
        assert row is not None
        setup = await people.enable_totp(session, runtime, TESTS, row)
    v = visitor()
    step = await v.sign_in(user.email)
    assert (step.status_code, step.headers["location"]) == (303, "/dashboard/sign-in/code")
    pending = v.http.cookies["homerun_session"]
    # Half signed in opens nothing.
    assert (await v.get("/dashboard")).headers["location"] == "/dashboard/sign-in"
    wrong = await v.form("/dashboard/sign-in/code", code="123456")
    assert wrong.status_code == 401 and "That code is not right" in wrong.text
    done = await v.form("/dashboard/sign-in/code", code=pyotp.TOTP(setup.secret).now())
    assert (done.status_code, done.headers["location"]) == (303, "/dashboard")
    assert v.http.cookies["homerun_session"] != pending
    assert (await v.get("/dashboard")).status_code == 200
    assert await _sessions_of(runtime, user.id) == 1


async def test_sign_out_ends_the_session(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.VIEWER, mid=merchant.mid)
    v = visitor()
    await v.sign_in(user.email)
    token = v.http.cookies["homerun_session"]
    forged = await v.post("/dashboard/sign-out", csrf="forged")
    assert forged.status_code == 403 and await _sessions_of(runtime, user.id) == 1
    out = await v.post("/dashboard/sign-out", csrf=await v.csrf())
    assert (out.status_code, out.headers["location"]) == (
        303,
        "/dashboard/sign-in?notice=signed_out",
    )
    assert await _sessions_of(runtime, user.id) == 0
    v.http.cookies.set("homerun_session", token, domain="127.0.0.1", path="/dashboard")
    assert (await v.get("/dashboard")).status_code == 303


async def test_an_invitation_link_over_http(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.SUPPORT, mid=merchant.mid, password=None)
    async with runtime.db.transaction() as session:
        path = await people.issue_link(session, runtime, TESTS, user, LinkPurpose.INVITE)
    v = visitor()
    page = await v.get(path)
    assert page.status_code == 200 and user.email in page.text
    csrf = csrf_of(page.text)
    differ = await v.post(path, csrf=csrf, password=PASSWORD, confirm=PASSWORD + "!")
    assert differ.status_code == 422 and "the two passwords are not the same" in differ.text
    short = await v.post(path, csrf=csrf, password="short", confirm="short")
    assert short.status_code == 422 and "must be at least 12 characters" in short.text
    done = await v.post(path, csrf=csrf, password=PASSWORD, confirm=PASSWORD)
    assert done.headers["location"] == "/dashboard/sign-in?notice=password_set"
    assert (await v.get(path)).status_code == 404  # used up
    assert (await v.sign_in(user.email)).headers["location"] == "/dashboard"
    assert (await v.get("/dashboard/welcome/not-a-token")).status_code == 404
