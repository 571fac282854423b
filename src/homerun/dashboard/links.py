"""What the Payment links pages ask of hpp, for one merchant.

A payment link is a hosted payment page. Nothing here has rules of its own: listing,
creating, editing, disabling and enabling are `hpp.service.list_pages`, `create`, `edit`
and `set_active`, the functions behind `POST /api/v1/hpp`, `PUT /api/v1/hpp/{id}` and
`/homerun/v1/hpp`. This module scopes them to the signed-in user's merchant (another
merchant's link is not found), runs each change in a savepoint (a refused edit leaves the
page as it was, although the request's transaction commits), and records every change in
the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.errors import NotFound
from homerun.hpp import service as hpp
from homerun.hpp.models import HostedPage
from homerun.hpp.schemas import HppCreate, HppEdit
from homerun.hpp.state import PageStatus
from homerun.kit.money import to_dollars
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.runtime import Runtime

PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class LinkPage:
    rows: Sequence[HostedPage]
    count: int  # of the merchant's links with this status
    offset: int


async def listing(
    session: AsyncSession, merchant: Merchant, status: PageStatus | None, offset: int
) -> LinkPage:
    rows, count = await hpp.list_pages(
        session, merchant, status=status, limit=PAGE_SIZE, offset=offset
    )
    return LinkPage(rows, count, offset)


async def link(
    session: AsyncSession, merchant: Merchant, client_id: str
) -> tuple[HostedPage, Sequence[Transaction]] | None:
    """The merchant's link and its payments, newest first; None when it is not theirs."""
    try:
        return await hpp.get_page(session, merchant, client_id)
    except NotFound:
        return None


async def create(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, body: HppCreate
) -> HostedPage:
    """A new link, or ValidationFailed naming the field (and nothing made)."""
    async with session.begin_nested():
        page = await hpp.create(session, runtime, merchant, body)
    await _record(session, runtime, actor, merchant, AuditAction.LINK_CREATED, page)
    return page


async def edit(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    client_id: str,
    body: HppEdit,
) -> HostedPage | None:
    """The link changed as the body says; None when it is not the merchant's;
    ValidationFailed naming the field (and the link as it was)."""
    try:
        async with session.begin_nested():
            page = await hpp.edit(session, runtime, merchant, client_id, body)
    except NotFound:
        return None
    await _record(session, runtime, actor, merchant, AuditAction.LINK_EDITED, page)
    return page


async def switch(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    client_id: str,
    *,
    active: bool,
) -> HostedPage | None:
    """Turn the link on or off; None when it is not the merchant's. A link that already
    is (a form posted twice) stays as it is, and the log has the one change."""
    found = await link(session, merchant, client_id)
    if found is None:
        return None
    was_active = found[0].status is PageStatus.ACTIVE
    page = await hpp.set_active(session, runtime, merchant, client_id, active)
    if was_active is not active:
        action = AuditAction.LINK_ENABLED if active else AuditAction.LINK_DISABLED
        await _record(session, runtime, actor, merchant, action, page)
    return page


async def _record(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    action: AuditAction,
    page: HostedPage,
) -> None:
    detail: dict[str, Any] = {"client_id": page.client_id}
    if action in (AuditAction.LINK_CREATED, AuditAction.LINK_EDITED) and page.amount is not None:
        detail["amount"] = to_dollars(page.amount)
    await audit.record(
        session, runtime.clock.now(), actor, action, merchant_id=merchant.id, **detail
    )
