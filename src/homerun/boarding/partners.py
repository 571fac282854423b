"""Partners, their hierarchy, and what each owns: rep codes, OAuth clients, templates.

A partner owns rep codes and merchants; an OAuth client bound to a partner acts for the
partner and every partner below it (its hierarchy). Boarding clients see the applications
of that hierarchy; reporting clients read every merchant of it that has been boarded.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import repository, schemas
from homerun.boarding.models import ClientPartner, Partner, RepCode, Template
from homerun.boarding.paging import Listing
from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.oauth import repository as oauth_repository
from homerun.oauth import service as oauth
from homerun.oauth.models import OAuthClient
from homerun.oauth.service import ClientWithSecret
from homerun.runtime import Runtime

DEFAULT_SIGNATURE_DELAY = 300  # seconds from sending to the signer's signature
DEFAULT_UNDERWRITING_DELAY = 3600  # seconds from submission to the underwriting decision
DEFAULT_GO_LIVE_DELAY = 3600  # seconds from boarding to live


def _apply_partner_settings(partner: Partner, data: schemas.PartnerSettings) -> None:
    if data.signature_delay_seconds is not None:
        partner.signature_delay_seconds = data.signature_delay_seconds
    if data.underwriting_delay_seconds is not None:
        partner.underwriting_delay_seconds = data.underwriting_delay_seconds
    if data.go_live_by_clock is False:
        partner.go_live_delay_seconds = None
    elif data.go_live_delay_seconds is not None:
        partner.go_live_delay_seconds = data.go_live_delay_seconds
    elif data.go_live_by_clock and partner.go_live_delay_seconds is None:
        partner.go_live_delay_seconds = DEFAULT_GO_LIVE_DELAY


async def get_partner(session: AsyncSession, partner_id: int) -> Partner:
    partner = await repository.partner(session, partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    return partner


async def create_partner(
    session: AsyncSession, runtime: Runtime, data: schemas.PartnerCreate
) -> Partner:
    if (
        data.parent_partner_id is not None
        and await repository.partner(session, data.parent_partner_id) is None
    ):
        raise ValidationFailed.field(
            "parent_partner_id", f"partner {data.parent_partner_id} does not exist"
        )
    now = runtime.clock.now()
    partner = Partner(
        name=data.name,
        parent_id=data.parent_partner_id,
        signature_delay_seconds=DEFAULT_SIGNATURE_DELAY,
        underwriting_delay_seconds=DEFAULT_UNDERWRITING_DELAY,
        go_live_delay_seconds=DEFAULT_GO_LIVE_DELAY,
        created_at=now,
        updated_at=now,
    )
    _apply_partner_settings(partner, data)
    await repository.add(session, partner)
    return partner


async def update_partner(
    session: AsyncSession, runtime: Runtime, partner_id: int, data: schemas.PartnerUpdate
) -> Partner:
    partner = await get_partner(session, partner_id)
    if data.name is not None:
        partner.name = data.name
    _apply_partner_settings(partner, data)
    partner.updated_at = runtime.clock.now()
    await session.flush()
    return partner


async def list_partners(session: AsyncSession) -> Sequence[Partner]:
    return await repository.partners(session)


async def hierarchy(session: AsyncSession, partner_id: int) -> list[int]:
    """The partner and every partner below it."""
    found = [partner_id]
    frontier = [partner_id]
    while frontier:
        frontier = [p for p in await repository.children_of(session, frontier) if p not in found]
        found.extend(frontier)
    return found


async def ancestry(session: AsyncSession, partner_id: int) -> list[int]:
    """The partner and every partner above it."""
    found: list[int] = []
    current: int | None = partner_id
    while current is not None and current not in found:
        found.append(current)
        partner = await repository.partner(session, current)
        current = partner.parent_id if partner else None
    return found


async def client_scope(session: AsyncSession, client: OAuthClient) -> list[int]:
    """The partners a client acts for: its partner's hierarchy, or none when unbound."""
    partner_id = await repository.partner_of_client(session, client.id)
    return [] if partner_id is None else await hierarchy(session, partner_id)


# ---- rep codes ---------------------------------------------------------------------------


async def add_rep_code(
    session: AsyncSession, runtime: Runtime, partner_id: int, data: schemas.RepCodeCreate
) -> RepCode:
    await get_partner(session, partner_id)
    if await repository.rep_code_by_code(session, data.rep_code) is not None:
        raise Conflict(f"rep code {data.rep_code} already exists", {"rep_code": ["is taken"]})
    rep = RepCode(
        partner_id=partner_id, code=data.rep_code, name=data.name, created_at=runtime.clock.now()
    )
    await repository.add(session, rep)
    return rep


async def partner_rep_codes(session: AsyncSession, partner_id: int) -> Sequence[RepCode]:
    await get_partner(session, partner_id)
    return await repository.rep_codes_of(session, partner_id)


async def rep_code_page(
    session: AsyncSession, scope: Sequence[int], request: Listing
) -> Sequence[RepCode]:
    if not scope:
        return []
    page = request.page
    return await repository.rep_code_page(session, scope, request.query, page.limit, page.offset)


# ---- clients -----------------------------------------------------------------------------


async def _bind_client(session: AsyncSession, partner_id: int, client: OAuthClient) -> None:
    bound = await repository.partner_of_client(session, client.id)
    if bound is not None and bound != partner_id:
        raise Conflict(
            f"OAuth client {client.client_id} already belongs to partner {bound}",
            {"client_id": ["belongs to another partner"]},
        )
    if bound is None:
        await repository.add(session, ClientPartner(client_pk=client.id, partner_id=partner_id))
    if client.audience == "reporting":
        merchant_pks = await repository.boarded_merchant_pks(
            session, await hierarchy(session, partner_id)
        )
        await oauth_repository.bind_merchants(session, [client.id], merchant_pks)


async def create_partner_client(
    session: AsyncSession, runtime: Runtime, partner_id: int, audience: str, name: str | None
) -> ClientWithSecret:
    partner = await get_partner(session, partner_id)
    made = await oauth.create_client(
        session, runtime, audience=audience, name=name or f"{partner.name} {audience}", mids=[]
    )
    await _bind_client(session, partner_id, made.client)
    return made


async def attach_client(session: AsyncSession, partner_id: int, client_id: str) -> OAuthClient:
    await get_partner(session, partner_id)
    client = await oauth_repository.by_client_id(session, client_id)
    if client is None:
        raise ValidationFailed.field("client_id", f"OAuth client {client_id} does not exist")
    await _bind_client(session, partner_id, client)
    return client


async def partner_clients(session: AsyncSession, partner_id: int) -> Sequence[OAuthClient]:
    await get_partner(session, partner_id)
    return await repository.clients_of(session, partner_id)


# ---- templates ---------------------------------------------------------------------------


async def create_template(
    session: AsyncSession, runtime: Runtime, partner_id: int, data: schemas.TemplateCreate
) -> Template:
    await get_partner(session, partner_id)
    template = Template(
        partner_id=partner_id,
        name=data.name,
        pricing=schemas.pricing_stored(data.pricing),
        fees=schemas.fees_stored(data.fees),
        products=schemas.products_stored(data.products),
        created_at=runtime.clock.now(),
    )
    await repository.add(session, template)
    return template


async def partner_templates(session: AsyncSession, partner_id: int) -> Sequence[Template]:
    await get_partner(session, partner_id)
    return await repository.templates_of(session, partner_id)
