"""`homerun users ...`: the dashboard's users, from the operator's command line.

There is no mail server: an invitation or a password reset is a one-time link, printed
here for the operator to hand on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit.service import CLI
from homerun.boarding import partners
from homerun.commands import print_json, run, say
from homerun.errors import ValidationFailed
from homerun.merchants import service as merchants
from homerun.people import service
from homerun.people.models import User
from homerun.people.roles import Role
from homerun.people.state import LinkPurpose
from homerun.runtime import Runtime

app = typer.Typer(help="Dashboard users: invitations, roles, resets.", no_args_is_help=True)

RoleOption = Annotated[str, typer.Option(help=f"One of: {', '.join(r.value for r in Role)}.")]


def _role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValidationFailed(f"role: must be one of {', '.join(r.value for r in Role)}") from None


def link_url(runtime: Runtime, path: str) -> str:
    return runtime.settings.public_base_url.rstrip("/") + path


def _user(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "tenant": user.tenant.value,
        "merchant_id": user.merchant_id,
        "partner_id": user.partner_id,
        "role": user.role.value,
        "disabled": user.disabled,
        "totp": user.totp_sealed is not None,
        "invited": user.password_hash is None,
        "last_sign_in_at": user.last_sign_in_at.isoformat() if user.last_sign_in_at else None,
    }


@app.command("create")
def create(
    email: str,
    role: RoleOption,
    mid: Annotated[str | None, typer.Option(help="The merchant the user works for.")] = None,
    partner_id: Annotated[int | None, typer.Option(help="The partner the user works for.")] = None,
) -> None:
    """Create a user and print their invitation link (no MID or partner: an operator)."""

    async def work(session: AsyncSession, runtime: Runtime) -> str:
        if mid is not None and partner_id is not None:
            raise ValidationFailed("give --mid or --partner-id, not both")
        merchant_id = (await merchants.get(session, mid)).id if mid is not None else None
        if partner_id is not None:
            await partners.get_partner(session, partner_id)
        belonging = service.Belonging(merchant_id, partner_id)
        user = await service.create_user(session, runtime, CLI, email, _role(role), belonging)
        path = await service.issue_link(session, runtime, CLI, user, LinkPurpose.INVITE)
        return link_url(runtime, path)

    say("invitation", run(work))


def _link_command(purpose: LinkPurpose) -> Callable[[str], None]:
    def command(email: str) -> None:
        async def work(session: AsyncSession, runtime: Runtime) -> str:
            user = await service.get_user(session, email)
            return link_url(runtime, await service.issue_link(session, runtime, CLI, user, purpose))

        say("invitation" if purpose is LinkPurpose.INVITE else "reset link", run(work))

    return command


app.command("invite", help="A new invitation link for a user.")(_link_command(LinkPurpose.INVITE))
app.command("reset", help="A one-time link that sets a new password.")(
    _link_command(LinkPurpose.RESET)
)


@app.command("list")
def list_users(
    mid: Annotated[str | None, typer.Option(help="Only this merchant's users.")] = None,
) -> None:
    """Every user (or one merchant's), as JSON."""

    async def work(session: AsyncSession, runtime: Runtime) -> list[dict[str, Any]]:
        merchant_id = (await merchants.get(session, mid)).id if mid is not None else None
        return [_user(u) for u in await service.list_users(session, merchant_id=merchant_id)]

    print_json(run(work))


@app.command("set-role")
def set_role(email: str, role: str) -> None:
    """Give a user another role of their tenant; their sessions end."""

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        user = await service.get_user(session, email)
        return _user(await service.set_role(session, runtime, CLI, user, _role(role)))

    print_json(run(work))


@app.command("disable")
def disable(email: str) -> None:
    """Stop a user signing in; their sessions end."""

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        user = await service.get_user(session, email)
        return _user(await service.disable(session, runtime, CLI, user))

    print_json(run(work))


@app.command("totp")
def totp(email: str) -> None:
    """Turn on two-step sign-in: prints the secret for an authenticator app and ten
    recovery codes, once. Running it again replaces both."""

    async def work(session: AsyncSession, runtime: Runtime) -> service.TotpSetup:
        user = await service.get_user(session, email)
        return await service.enable_totp(session, runtime, CLI, user)

    setup = run(work)
    say("totp secret", setup.secret)
    say("otpauth uri", setup.uri)
    say("recovery codes", " ".join(setup.recovery_codes))
