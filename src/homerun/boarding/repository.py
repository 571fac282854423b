"""All SQL for boarding: partners, rep codes, client bindings, templates, applications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding.models import (
    Application,
    ClientPartner,
    CredentialHandoff,
    Partner,
    RepCode,
    Template,
)
from homerun.oauth.models import OAuthClient
from homerun.outbox.models import OutboxEvent
from homerun.reporting.q import Domain, Query, compile_filter, order_columns

# The Boarding API's list fields as SQL, for `q` and `$orderby`.
MERCHANT_COLUMNS: Mapping[str, SQLColumnExpression[Any]] = {
    "merchant_id": Application.id,
    "platform": Application.platform,
    "rep_code": RepCode.code,
    "customer_id": Application.customer_id,
    "mid": Application.mid,
    "dba_name": Application.dba_name,
    "legal_name": Application.legal_name,
    "merchant_status": Application.status,
    "merchant_status_id": Application.status,
    "pended": Application.pended,
    "merchant_type_id": Application.merchant_type_id,
    "external_crm_id": Application.external_crm_id,
    "custom_01": Application.custom_01,
}
REP_CODE_COLUMNS: Mapping[str, SQLColumnExpression[Any]] = {
    "rep_code_id": RepCode.id,
    "rep_code": RepCode.code,
    "name": RepCode.name,
}


# ---- partners ----------------------------------------------------------------------------


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def partner(session: AsyncSession, partner_id: int) -> Partner | None:
    return await session.get(Partner, partner_id)


async def partners(session: AsyncSession) -> Sequence[Partner]:
    return (await session.execute(select(Partner).order_by(Partner.id))).scalars().all()


async def count_partners(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count(Partner.id))) or 0)


async def children_of(session: AsyncSession, partner_ids: Iterable[int]) -> list[int]:
    stmt = select(Partner.id).where(Partner.parent_id.in_(list(partner_ids)))
    return list((await session.execute(stmt)).scalars().all())


# ---- rep codes ---------------------------------------------------------------------------


async def rep_code_by_code(session: AsyncSession, code: str) -> RepCode | None:
    return await session.scalar(select(RepCode).where(RepCode.code == code))


async def rep_code(session: AsyncSession, rep_code_id: int) -> RepCode | None:
    return await session.get(RepCode, rep_code_id)


async def rep_codes_of(session: AsyncSession, partner_id: int) -> Sequence[RepCode]:
    stmt = select(RepCode).where(RepCode.partner_id == partner_id).order_by(RepCode.id)
    return (await session.execute(stmt)).scalars().all()


async def rep_code_page(
    session: AsyncSession, partner_ids: Sequence[int], query: Query, limit: int, offset: int
) -> Sequence[RepCode]:
    stmt = (
        select(RepCode)
        .where(RepCode.partner_id.in_(partner_ids))
        .where(compile_filter(query.where, REP_CODE_COLUMNS, {}))
        .order_by(*order_columns(query.order_by, REP_CODE_COLUMNS, {}), RepCode.id)
        .limit(limit + 1)
        .offset(offset)
    )
    return (await session.execute(stmt)).scalars().all()


# ---- clients -----------------------------------------------------------------------------


async def partner_of_client(session: AsyncSession, client_pk: int) -> int | None:
    stmt = select(ClientPartner.partner_id).where(ClientPartner.client_pk == client_pk)
    return await session.scalar(stmt)


async def clients_of(session: AsyncSession, partner_id: int) -> Sequence[OAuthClient]:
    stmt = (
        select(OAuthClient)
        .join(ClientPartner, ClientPartner.client_pk == OAuthClient.id)
        .where(ClientPartner.partner_id == partner_id)
        .order_by(OAuthClient.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def reporting_clients_of(session: AsyncSession, partner_ids: Sequence[int]) -> Sequence[int]:
    """The unrevoked reporting clients bound to any of these partners."""
    stmt = (
        select(OAuthClient.id)
        .join(ClientPartner, ClientPartner.client_pk == OAuthClient.id)
        .where(
            ClientPartner.partner_id.in_(partner_ids),
            OAuthClient.audience == "reporting",
            OAuthClient.revoked_at.is_(None),
        )
    )
    return (await session.execute(stmt)).scalars().all()


async def boarded_merchant_pks(session: AsyncSession, partner_ids: Sequence[int]) -> list[int]:
    stmt = select(Application.merchant_pk).where(
        Application.partner_id.in_(partner_ids), Application.merchant_pk.is_not(None)
    )
    return [pk for pk in (await session.execute(stmt)).scalars().all() if pk is not None]


# ---- templates ---------------------------------------------------------------------------


async def template(session: AsyncSession, template_id: int) -> Template | None:
    return await session.get(Template, template_id)


async def templates_of(session: AsyncSession, partner_id: int) -> Sequence[Template]:
    stmt = select(Template).where(Template.partner_id == partner_id).order_by(Template.id)
    return (await session.execute(stmt)).scalars().all()


# ---- applications ------------------------------------------------------------------------


def _visible(partner_ids: Sequence[int] | None) -> Select[Application, str]:
    stmt = select(Application, RepCode.code).join(RepCode, RepCode.id == Application.rep_code_id)
    if partner_ids is not None:
        stmt = stmt.where(Application.partner_id.in_(partner_ids))
    return stmt


async def application(
    session: AsyncSession,
    merchant_id: int,
    partner_ids: Sequence[int] | None,
    *,
    lock: bool = False,
) -> tuple[Application, str] | None:
    """An application and its rep code, if the scope (None: every partner) may see it."""
    stmt = _visible(partner_ids).where(Application.id == merchant_id)
    if lock:
        stmt = stmt.with_for_update(of=Application)
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def recent_applications(
    session: AsyncSession, partner_ids: Sequence[int] | None, limit: int
) -> list[tuple[Application, str]]:
    """The scope's applications, most recently changed first (the dashboard's pipeline)."""
    stmt = (
        _visible(partner_ids)
        .order_by(Application.updated_at.desc(), Application.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def application_page(
    session: AsyncSession,
    partner_ids: Sequence[int] | None,
    query: Query,
    domains: Mapping[str, Domain],
    limit: int,
    offset: int,
) -> list[tuple[Application, str]]:
    stmt = (
        _visible(partner_ids)
        .where(compile_filter(query.where, MERCHANT_COLUMNS, domains))
        .order_by(*order_columns(query.order_by, MERCHANT_COLUMNS, domains), Application.id)
        .limit(limit + 1)
        .offset(offset)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def customer_exists(
    session: AsyncSession, customer_id: int, partner_ids: Sequence[int]
) -> bool:
    stmt = select(Application.id).where(
        Application.customer_id == customer_id, Application.partner_id.in_(partner_ids)
    )
    return (await session.scalars(stmt.limit(1))).first() is not None


async def events_of(session: AsyncSession, merchant_id: int) -> Sequence[OutboxEvent]:
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.source_id == str(merchant_id), OutboxEvent.event_type.like("merchant.%"))
        .order_by(OutboxEvent.id)
    )
    return (await session.execute(stmt)).scalars().all()


# ---- credentials handoff -----------------------------------------------------------------


async def handoff(
    session: AsyncSession, application_id: int, *, lock: bool = False
) -> CredentialHandoff | None:
    stmt = select(CredentialHandoff).where(CredentialHandoff.application_id == application_id)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)
