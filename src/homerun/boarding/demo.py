"""The demo partner that `serve` creates on an empty instance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import repository, schemas
from homerun.boarding.models import Partner, RepCode
from homerun.boarding.partners import add_rep_code, create_partner, create_partner_client
from homerun.oauth.service import ClientWithSecret
from homerun.runtime import Runtime


@dataclass(frozen=True)
class DemoPartner:
    partner: Partner
    rep_code: RepCode
    client: ClientWithSecret


DEMO_REP_CODE = "DEMO001"


async def create_demo(session: AsyncSession, runtime: Runtime) -> DemoPartner | None:
    """A demo partner with a rep code and a boarding client, when there is no partner yet."""
    if await repository.count_partners(session) > 0:
        return None
    partner = await create_partner(
        session, runtime, schemas.PartnerCreate(name="Homerun Demo Partner")
    )
    rep = await add_rep_code(
        session,
        runtime,
        partner.id,
        schemas.RepCodeCreate.model_validate({"rep_code": DEMO_REP_CODE, "name": "Demo Rep"}),
    )
    client = await create_partner_client(
        session, runtime, partner.id, "boarding", "Homerun Demo Partner boarding"
    )
    return DemoPartner(partner, rep, client)
