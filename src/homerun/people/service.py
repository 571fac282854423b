"""People: creating users, signing them in and out, sessions, one-time links, roles.

Times here are the clock's wall time (`Clock.wall`): a session, a lock-out or a TOTP code
lives in the time people live in, which moving the sandbox clock must not change. Audit
rows carry the instance time (`Clock.now`), as the payments they record do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.kit.clock import as_utc
from homerun.people import crypto, repository
from homerun.people.models import User, UserLink, UserSession
from homerun.people.roles import TENANT_OF, Role, Tenant
from homerun.people.state import LinkPurpose, SessionStage
from homerun.runtime import Runtime

_TOTP_CONTEXT = b"homerun.users.totp"
# One answer for every failed sign-in, whatever failed: nobody learns which emails exist.
SIGN_IN_REFUSED = "That email and password do not match an account that can sign in."
LOCKED = "Too many failed sign-ins. Wait a few minutes and try again."


def normal_email(email: str) -> str:
    return email.strip().lower()


def _check_email(email: str) -> str:
    email = normal_email(email)
    local, at, domain = email.partition("@")
    if not (at and local and "." in domain and len(email) <= 254 and " " not in email):
        raise ValidationFailed("email: not an email address", {"email": ["not an email address"]})
    return email


def _check_password(password: str) -> None:
    problem = crypto.password_problem(password)
    if problem:
        raise ValidationFailed(f"password: {problem}", {"password": [problem]})


# ---------------------------------------------------------------- users


@dataclass(frozen=True, slots=True)
class Belonging:
    """What a new user belongs to: a merchant, a partner, or the instance (both None)."""

    merchant_id: int | None = None
    partner_id: int | None = None

    def tenant(self) -> Tenant:
        if self.merchant_id is not None:
            return Tenant.MERCHANT
        return Tenant.PARTNER if self.partner_id is not None else Tenant.INSTANCE


async def create_user(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    email: str,
    role: Role,
    belonging: Belonging,
    password: str | None = None,
) -> User:
    """A user; without a password they can only sign in after following an invitation."""
    email = _check_email(email)
    tenant = belonging.tenant()
    if TENANT_OF[role] is not tenant:
        raise ValidationFailed(
            f"role: a {tenant} user cannot be {role}", {"role": [f"not a {tenant} role"]}
        )
    if password is not None:
        _check_password(password)
    if await repository.user_by_email(session, email) is not None:
        raise Conflict("email: a user with that email exists")
    now = runtime.clock.wall()
    user = User(
        email=email,
        tenant=tenant,
        merchant_id=belonging.merchant_id,
        partner_id=belonging.partner_id,
        role=role,
        password_hash=await crypto.hash_password(password) if password else None,
        recovery_hashes=[],
        disabled=False,
        failed_sign_ins=0,
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, user)
    await _audit(session, runtime, actor, AuditAction.USER_CREATED, user, role=role.value)
    return user


async def get_user(session: AsyncSession, email: str) -> User:
    user = await repository.user_by_email(session, normal_email(email))
    if user is None:
        raise NotFound("no user with that email")
    return user


async def list_users(
    session: AsyncSession,
    *,
    merchant_id: int | None = None,
    partner_id: int | None = None,
    tenant: Tenant | None = None,
) -> list[User]:
    return list(
        await repository.users(
            session, merchant_id=merchant_id, partner_id=partner_id, tenant=tenant
        )
    )


async def user_by_id(session: AsyncSession, user_id: int, *, lock: bool = False) -> User | None:
    if lock:
        return await repository.lock_user(session, user_id)
    return await repository.user_by_id(session, user_id)


async def set_role(
    session: AsyncSession, runtime: Runtime, actor: Actor, user: User, role: Role
) -> User:
    if TENANT_OF[role] is not user.tenant:
        raise ValidationFailed(
            f"role: a {user.tenant} user cannot be {role}", {"role": [f"not a {user.tenant} role"]}
        )
    before = user.role
    user.role = role
    user.updated_at = runtime.clock.wall()
    await repository.end_sessions_of(session, user.id)  # the new role applies at once
    await _audit(
        session, runtime, actor, AuditAction.ROLE_CHANGED, user, before=before.value, after=role
    )
    return user


async def disable(session: AsyncSession, runtime: Runtime, actor: Actor, user: User) -> User:
    user.disabled = True
    user.updated_at = runtime.clock.wall()
    await repository.end_sessions_of(session, user.id)
    await _audit(session, runtime, actor, AuditAction.USER_DISABLED, user)
    return user


async def _audit(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    action: AuditAction,
    user: User,
    **detail: str,
) -> None:
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        action,
        merchant_id=user.merchant_id,
        partner_id=user.partner_id,
        user=user.email,
        **detail,
    )


# ---------------------------------------------------------------- TOTP


@dataclass(frozen=True, slots=True)
class TotpSetup:
    secret: str
    uri: str  # otpauth://, for an authenticator app
    recovery_codes: list[str]  # shown once; only their keyed hashes are kept


async def enable_totp(
    session: AsyncSession, runtime: Runtime, actor: Actor, user: User
) -> TotpSetup:
    """Turn on (or renew) TOTP for a user; the old secret and recovery codes stop working."""
    secret = crypto.new_totp_secret()
    codes = crypto.new_recovery_codes()
    user.totp_sealed = runtime.sealer.seal(secret, _TOTP_CONTEXT)
    user.recovery_hashes = [runtime.secret_hash(code) for code in codes]
    user.updated_at = runtime.clock.wall()
    await _audit(session, runtime, actor, AuditAction.TOTP_ENABLED, user)
    return TotpSetup(secret, crypto.totp_uri(secret, user.email), codes)


def totp_secret(runtime: Runtime, user: User) -> str | None:
    return runtime.sealer.open(user.totp_sealed, _TOTP_CONTEXT) if user.totp_sealed else None


# ---------------------------------------------------------------- one-time links


async def issue_link(
    session: AsyncSession, runtime: Runtime, actor: Actor, user: User, purpose: LinkPurpose
) -> str:
    """A one-time link's path (/dashboard/welcome/<token>); only the token's hash is kept."""
    if user.disabled:
        raise Conflict("the user is disabled")
    token = crypto.new_token()
    now = runtime.clock.wall()
    ttl = timedelta(seconds=runtime.settings.dashboard_link_ttl_seconds)
    await repository.add(
        session,
        UserLink(
            token_hash=runtime.secret_hash(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=now + ttl,
            created_at=now,
        ),
    )
    action = (
        AuditAction.USER_INVITED
        if purpose is LinkPurpose.INVITE
        else AuditAction.PASSWORD_RESET_ISSUED
    )
    await _audit(session, runtime, actor, action, user)
    return f"/dashboard/welcome/{token}"


async def open_link(session: AsyncSession, runtime: Runtime, token: str) -> UserLink | None:
    """The link if it is unused, unexpired and its user may still sign in."""
    link = await repository.link_by_hash(session, runtime.secret_hash(token))
    if link is None or link.used_at is not None or as_utc(link.expires_at) <= runtime.clock.wall():
        return None
    user = await repository.user_by_id(session, link.user_id)
    return None if user is None or user.disabled else link


async def user_of_link(session: AsyncSession, link: UserLink) -> User:
    user = await repository.user_by_id(session, link.user_id)
    if user is None:
        raise NotFound("no such user")
    return user


async def use_link(
    session: AsyncSession, runtime: Runtime, token: str, password: str, ip: str
) -> User | None:
    """Set the password a link was for; the link is spent and old sessions end."""
    _check_password(password)
    link = await open_link(session, runtime, token)
    if link is None:
        return None
    user = await repository.lock_user(session, link.user_id)
    assert user is not None
    now = runtime.clock.wall()
    link.used_at = now
    user.password_hash = await crypto.hash_password(password)
    user.failed_sign_ins, user.locked_until, user.updated_at = 0, None, now
    await repository.end_sessions_of(session, user.id)
    await _audit(session, runtime, Actor(user.email, user.id, ip), AuditAction.PASSWORD_SET, user)
    return user


# ---------------------------------------------------------------- signing in


@dataclass(frozen=True, slots=True)
class Refused:
    message: str


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: its cookie value (shown once) and its row."""

    token: str
    row: UserSession

    @property
    def needs_code(self) -> bool:
        return self.row.stage is SessionStage.CODE_NEEDED


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > now


async def _failed(
    session: AsyncSession, runtime: Runtime, user: User, ip: str, why: str
) -> Refused:
    """Count a failure; from the threshold on, each one locks the account for twice as long."""
    settings = runtime.settings
    now = runtime.clock.wall()
    user.failed_sign_ins += 1
    user.updated_at = now
    over = user.failed_sign_ins - settings.dashboard_lockout_after
    actor = Actor(user.email, user.id, ip)
    await _audit(session, runtime, actor, AuditAction.SIGN_IN_FAILED, user, reason=why)
    if over >= 0:
        seconds = min(
            settings.dashboard_lockout_base_seconds * 2 ** min(over, 20),
            settings.dashboard_lockout_max_seconds,
        )
        user.locked_until = now + timedelta(seconds=seconds)
        await _audit(session, runtime, actor, AuditAction.LOCKED_OUT, user, seconds=str(seconds))
        return Refused(LOCKED)
    return Refused(SIGN_IN_REFUSED)


async def _open_session(
    session: AsyncSession, runtime: Runtime, user: User, stage: SessionStage, ip: str
) -> Opened:
    token = crypto.new_token()
    now = runtime.clock.wall()
    row = UserSession(
        token_hash=runtime.secret_hash(token),
        user_id=user.id,
        stage=stage,
        csrf_token=crypto.new_token(),
        ip=ip[:45],
        created_at=now,
        seen_at=now,
    )
    await repository.add(session, row)
    return Opened(token, row)


async def _signed_in(session: AsyncSession, runtime: Runtime, user: User, ip: str) -> Opened:
    user.failed_sign_ins, user.locked_until = 0, None
    user.last_sign_in_at = user.updated_at = runtime.clock.wall()
    await _audit(session, runtime, Actor(user.email, user.id, ip), AuditAction.SIGN_IN, user)
    return await _open_session(session, runtime, user, SessionStage.SIGNED_IN, ip)


async def sign_in(
    session: AsyncSession, runtime: Runtime, email: str, password: str, ip: str
) -> Opened | Refused:
    """The password step. With TOTP on, the session it opens only admits the code step."""
    found = await repository.user_by_email(session, normal_email(email)[:254])
    user = await repository.lock_user(session, found.id) if found is not None else None
    if user is None:
        await crypto.password_matches(None, password)  # the same time as a known email
        return Refused(SIGN_IN_REFUSED)
    if _locked(user, runtime.clock.wall()):
        return Refused(LOCKED)
    if user.disabled or not await crypto.password_matches(user.password_hash, password):
        return await _failed(session, runtime, user, ip, "password")
    if user.totp_sealed is not None:
        return await _open_session(session, runtime, user, SessionStage.CODE_NEEDED, ip)
    return await _signed_in(session, runtime, user, ip)


async def sign_in_code(
    session: AsyncSession, runtime: Runtime, pending: UserSession, code: str, ip: str
) -> Opened | Refused:
    """The TOTP step: a code (or a recovery code) ends the pending session and opens a new
    one under a new id; a wrong code counts as a failed sign-in."""
    user = await repository.lock_user(session, pending.user_id)
    if user is None or user.disabled or pending.stage is not SessionStage.CODE_NEEDED:
        return Refused(SIGN_IN_REFUSED)
    now = runtime.clock.wall()
    if _locked(user, now):
        await repository.end_session(session, pending.id)
        return Refused(LOCKED)
    secret = totp_secret(runtime, user)
    recovery = runtime.secret_hash(crypto.normal_recovery_code(code))
    if secret is not None and crypto.totp_matches(secret, code, now.timestamp()):
        pass
    elif recovery in user.recovery_hashes:
        user.recovery_hashes = [h for h in user.recovery_hashes if h != recovery]
        await _audit(
            session,
            runtime,
            Actor(user.email, user.id, ip),
            AuditAction.RECOVERY_CODE_USED,
            user,
            left=str(len(user.recovery_hashes)),
        )
    else:
        refused = await _failed(session, runtime, user, ip, "code")
        if refused.message == LOCKED:
            await repository.end_session(session, pending.id)
        return refused
    await repository.end_session(session, pending.id)
    return await _signed_in(session, runtime, user, ip)


@dataclass(frozen=True, slots=True)
class Current:
    row: UserSession
    user: User


async def current(
    session: AsyncSession, runtime: Runtime, token: str | None, *, stage: SessionStage
) -> Current | None:
    """The session a cookie names, if it is at `stage`, not idle too long nor too old, and
    its user may still sign in. Its last-seen time moves at most once a minute."""
    if not token or len(token) > 100:
        return None
    row = await repository.session_by_hash(session, runtime.secret_hash(token))
    if row is None or row.stage is not stage:
        return None
    settings = runtime.settings
    now = runtime.clock.wall()
    idle = timedelta(seconds=settings.dashboard_session_idle_seconds)
    life = timedelta(seconds=settings.dashboard_session_absolute_seconds)
    if stage is SessionStage.CODE_NEEDED:
        life = min(life, timedelta(minutes=10))  # a password step is good for minutes only
    if as_utc(row.seen_at) + idle <= now or as_utc(row.created_at) + life <= now:
        await repository.end_session(session, row.id)
        return None
    user = await repository.user_by_id(session, row.user_id)
    if user is None or user.disabled:
        return None
    if now - as_utc(row.seen_at) >= timedelta(minutes=1):
        await repository.touch_session(session, row.id, now)
    return Current(row, user)


async def sign_out(session: AsyncSession, runtime: Runtime, found: Current, ip: str) -> None:
    await repository.end_session(session, found.row.id)
    user = found.user
    await _audit(session, runtime, Actor(user.email, user.id, ip), AuditAction.SIGN_OUT, user)


async def end_by_token(session: AsyncSession, runtime: Runtime, token: str | None) -> None:
    """End whatever session a cookie names (at sign-in: a new session never reuses an id)."""
    if token and len(token) <= 100:
        row = await repository.session_by_hash(session, runtime.secret_hash(token))
        if row is not None:
            await repository.end_session(session, row.id)
