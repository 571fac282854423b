"""People: users, sign-in with lock-out and TOTP, sessions and their expiry, one-time links."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from argon2 import Type
from sqlalchemy import func, select

from homerun.audit.models import AuditEvent
from homerun.errors import Conflict, ValidationFailed
from homerun.merchants import service as merchants
from homerun.people import crypto
from homerun.people import service as people
from homerun.people.models import User, UserSession
from homerun.people.roles import Role
from homerun.people.state import LinkPurpose, SessionStage
from homerun.runtime import Runtime
from tests.conftest import PRODUCTION_HASHER, MerchantAccess
from tests.people.support import (
    PASSWORD,
    TESTS,
    MovableClock,
    make_user,
    new_email,
    with_clock,
)


async def _sign_in(runtime: Runtime, email: str, password: str = PASSWORD) -> object:
    async with runtime.db.transaction() as session:
        return await people.sign_in(session, runtime, email, password, "192.0.2.7")


async def _user(runtime: Runtime, user_id: int) -> User:
    async with runtime.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def _actions(runtime: Runtime, user_email: str) -> list[str]:
    async with runtime.db.transaction() as session:
        rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [r.action for r in rows if r.detail.get("user") == user_email]


async def test_production_hashes_use_rfc_9106_low_memory_argon2id() -> None:
    assert (PRODUCTION_HASHER.type, PRODUCTION_HASHER.memory_cost) == (Type.ID, 65536)
    assert (PRODUCTION_HASHER.time_cost, PRODUCTION_HASHER.parallelism) == (3, 4)
    stored = PRODUCTION_HASHER.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # A hash keeps its own cost: one made at the production cost is checked at that cost.
    assert await crypto.password_matches(stored, PASSWORD)
    assert not await crypto.password_matches(stored, PASSWORD + "x")


async def test_a_password_is_stored_as_argon2id_and_signs_in(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    opened = await _sign_in(runtime, user.email.upper())  # emails compare lower-cased
    assert isinstance(opened, people.Opened) and not opened.needs_code
    assert opened.row.stage is SessionStage.SIGNED_IN
    assert opened.row.token_hash == runtime.secret_hash(opened.token)
    assert opened.row.ip == "192.0.2.7"
    async with runtime.db.transaction() as session:
        found = await people.current(session, runtime, opened.token, stage=SessionStage.SIGNED_IN)
    assert found is not None and found.user.id == user.id
    assert await _actions(runtime, user.email) == ["user_created", "sign_in"]


async def test_unknown_email_and_wrong_password_get_the_same_answer(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.VIEWER, mid=merchant.mid)
    unknown = await _sign_in(runtime, new_email())
    wrong = await _sign_in(runtime, user.email, "not the password at all")
    assert unknown == wrong == people.Refused(people.SIGN_IN_REFUSED)
    assert (await _user(runtime, user.id)).failed_sign_ins == 1


async def test_failed_sign_ins_lock_the_account_for_longer_each_time(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    clock = MovableClock()
    timed = with_clock(runtime, clock)
    user = await make_user(timed, Role.OWNER, mid=merchant.mid)
    for _ in range(4):
        assert await _sign_in(timed, user.email, "wrong password!!") == people.Refused(
            people.SIGN_IN_REFUSED
        )
    # The fifth failure locks for 30 s; while locked, even the right password is refused.
    assert await _sign_in(timed, user.email, "wrong password!!") == people.Refused(people.LOCKED)
    assert (await _user(timed, user.id)).locked_until == clock.at + timedelta(seconds=30)
    assert await _sign_in(timed, user.email) == people.Refused(people.LOCKED)
    assert (await _user(timed, user.id)).failed_sign_ins == 5  # a locked try is not counted
    clock.move(seconds=31)
    # The next failure doubles the lock (60 s), the one after that 120 s.
    assert await _sign_in(timed, user.email, "wrong password!!") == people.Refused(people.LOCKED)
    assert (await _user(timed, user.id)).locked_until == clock.at + timedelta(seconds=60)
    clock.move(seconds=61)
    assert await _sign_in(timed, user.email, "wrong password!!") == people.Refused(people.LOCKED)
    assert (await _user(timed, user.id)).locked_until == clock.at + timedelta(seconds=120)
    clock.move(seconds=121)
    opened = await _sign_in(timed, user.email)
    assert isinstance(opened, people.Opened)
    after = await _user(timed, user.id)
    assert (after.failed_sign_ins, after.locked_until) == (0, None)
    actions = await _actions(timed, user.email)
    assert actions.count("sign_in_failed") == 7 and actions.count("locked_out") == 3


async def test_sessions_end_when_idle_and_at_their_absolute_limit(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    clock = MovableClock()
    timed = with_clock(runtime, clock)
    user = await make_user(timed, Role.OWNER, mid=merchant.mid)

    async def alive(token: str) -> bool:
        async with timed.db.transaction() as session:
            found = await people.current(session, timed, token, stage=SessionStage.SIGNED_IN)
        return found is not None

    idle = await _sign_in(timed, user.email)
    assert isinstance(idle, people.Opened)
    clock.move(seconds=1799)
    assert await alive(idle.token)  # seen: the idle time starts again
    clock.move(seconds=1799)
    assert await alive(idle.token)
    clock.move(seconds=1800)
    assert not await alive(idle.token)
    async with timed.db.transaction() as session:  # an ended session is gone
        gone = select(UserSession).where(UserSession.token_hash == idle.row.token_hash)
        assert (await session.scalars(gone)).all() == []

    busy = await _sign_in(timed, user.email)
    assert isinstance(busy, people.Opened)
    for _ in range(23):  # used every 30 minutes, it still ends 12 hours after sign-in
        clock.move(seconds=1790)
        assert await alive(busy.token)
    clock.move(seconds=43200 - 23 * 1790)
    assert not await alive(busy.token)


async def test_totp_and_recovery_codes(runtime: Runtime, merchant: MerchantAccess) -> None:
    user = await make_user(runtime, Role.SUPPORT, mid=merchant.mid)
    async with runtime.db.transaction() as session:
        setup = await people.enable_totp(session, runtime, TESTS, await session.get(User, user.id))
    assert setup.uri.startswith("otpauth://totp/Homerun:") and len(setup.recovery_codes) == 10
    stored = await _user(runtime, user.id)
    assert stored.totp_sealed is not None and setup.secret.encode() not in stored.totp_sealed
    assert setup.recovery_codes[0] not in stored.recovery_hashes

    async def password_step() -> people.Opened:
        opened = await _sign_in(runtime, user.email)
        assert isinstance(opened, people.Opened) and opened.needs_code
        return opened

    async def code_step(opened: people.Opened, code: str) -> object:
        async with runtime.db.transaction() as session:
            return await people.sign_in_code(session, runtime, opened.row, code, "192.0.2.7")

    pending = await password_step()
    async with runtime.db.transaction() as session:  # the pending session opens no page
        assert (
            await people.current(session, runtime, pending.token, stage=SessionStage.SIGNED_IN)
            is None
        )
    assert await code_step(pending, "000000") == people.Refused(people.SIGN_IN_REFUSED)
    signed = await code_step(pending, pyotp.TOTP(setup.secret).now())
    assert isinstance(signed, people.Opened) and signed.row.stage is SessionStage.SIGNED_IN
    assert signed.token != pending.token  # a new session id at sign-in
    async with runtime.db.transaction() as session:
        gone = select(UserSession).where(UserSession.token_hash == pending.row.token_hash)
        assert (await session.scalars(gone)).all() == []

    # A recovery code works once, typed in upper case with spaces.
    code = setup.recovery_codes[3]
    again = await password_step()
    assert isinstance(await code_step(again, f" {code.upper()} "), people.Opened)
    third = await password_step()
    assert await code_step(third, code) == people.Refused(people.SIGN_IN_REFUSED)
    assert len((await _user(runtime, user.id)).recovery_hashes) == 9


async def test_an_invitation_link_sets_the_password_once(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    user = await make_user(runtime, Role.DEVELOPER, mid=merchant.mid, password=None)
    assert await _sign_in(runtime, user.email, "") == people.Refused(people.SIGN_IN_REFUSED)
    async with runtime.db.transaction() as session:
        path = await people.issue_link(session, runtime, TESTS, user, LinkPurpose.INVITE)
    token = path.removeprefix("/dashboard/welcome/")
    assert path.startswith("/dashboard/welcome/") and len(token) == 43
    async with runtime.db.transaction() as session:
        with pytest.raises(ValidationFailed):
            await people.use_link(session, runtime, token, "short", "")
    async with runtime.db.transaction() as session:
        assert await people.use_link(session, runtime, token, PASSWORD, "") is not None
    async with runtime.db.transaction() as session:
        assert await people.use_link(session, runtime, token, "another password!", "") is None
    assert isinstance(await _sign_in(runtime, user.email), people.Opened)


async def test_a_reset_link_expires_and_a_reset_ends_every_session(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    clock = MovableClock()
    timed = with_clock(runtime, clock)
    user = await make_user(timed, Role.OWNER, mid=merchant.mid)
    before = await _sign_in(timed, user.email)
    assert isinstance(before, people.Opened)
    async with timed.db.transaction() as session:
        late = await people.issue_link(session, timed, TESTS, user, LinkPurpose.RESET)
        fresh = await people.issue_link(session, timed, TESTS, user, LinkPurpose.RESET)
    clock.move(days=3)
    async with timed.db.transaction() as session:
        assert await people.open_link(session, timed, late.rsplit("/", 1)[1]) is None
    clock.move(seconds=-1)
    async with timed.db.transaction() as session:
        token = fresh.rsplit("/", 1)[1]
        assert await people.use_link(session, timed, token, "a brand new password", "") is not None
    async with timed.db.transaction() as session:
        assert (
            await people.current(session, timed, before.token, stage=SessionStage.SIGNED_IN) is None
        )
    assert await _sign_in(timed, user.email) == people.Refused(people.SIGN_IN_REFUSED)
    assert isinstance(await _sign_in(timed, user.email, "a brand new password"), people.Opened)


async def test_roles_belong_to_their_tenant_and_changes_end_sessions(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    with pytest.raises(ValidationFailed, match="a merchant user cannot be operator"):
        await _bad_role(runtime, merchant)
    user = await make_user(runtime, Role.SUPPORT, mid=merchant.mid)
    with pytest.raises(Conflict):
        await make_user(runtime, Role.SUPPORT, mid=merchant.mid, email=user.email)
    opened = await _sign_in(runtime, user.email)
    assert isinstance(opened, people.Opened)
    async with runtime.db.transaction() as session:
        row = await session.get(User, user.id)
        assert row is not None
        await people.set_role(session, runtime, TESTS, row, Role.VIEWER)
    async with runtime.db.transaction() as session:
        assert (
            await people.current(session, runtime, opened.token, stage=SessionStage.SIGNED_IN)
            is None
        )
        count = await session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
        )
    assert count == 0 and (await _user(runtime, user.id)).role is Role.VIEWER
    async with runtime.db.transaction() as session:
        row = await session.get(User, user.id)
        assert row is not None
        await people.disable(session, runtime, TESTS, row)
    assert await _sign_in(runtime, user.email) == people.Refused(people.SIGN_IN_REFUSED)
    events = await _actions(runtime, user.email)
    assert events == ["user_created", "sign_in", "role_changed", "user_disabled", "sign_in_failed"]


async def _bad_role(runtime: Runtime, merchant: MerchantAccess) -> None:
    async with runtime.db.transaction() as session:
        merchant_id = (await merchants.get(session, merchant.mid)).id
        await people.create_user(
            session,
            runtime,
            TESTS,
            new_email(),
            Role.OPERATOR,
            people.Belonging(merchant_id=merchant_id),
            PASSWORD,
        )
