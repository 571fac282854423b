"""Opening a Homerun: engine, migrations, instance keys, the clock, the demo merchant."""

from __future__ import annotations

from dataclasses import dataclass

from homerun.auth import service as auth
from homerun.auth.service import IssuedCredentials
from homerun.boarding import demo as boarding
from homerun.boarding.demo import DemoPartner
from homerun.config import Settings
from homerun.instance.repository import read_offset
from homerun.instance.service import load_keys
from homerun.keys import service as data_keys
from homerun.kit.clock import Clock
from homerun.kit.crypto import Sealer
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.merchants import repository as merchant_repository
from homerun.merchants import service as merchants
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantCreate
from homerun.merchants.state import Accepts
from homerun.people.demo import DemoSignIn, create_demo_users
from homerun.runtime import Runtime
from homerun.settlement import schedule


async def open_runtime(
    settings: Settings, *, migrate: bool = False, generate_admin_token: bool = True
) -> Runtime:
    db = Database(create_engine(settings))
    if migrate:
        await upgrade_to_head(db.engine)
    async with db.transaction() as session:
        keys = await load_keys(session, settings, generate_admin_token=generate_admin_token)
        offset = await read_offset(session)
        clock = Clock(offset)
        sealing_key = await data_keys.instance_key(session, keys.master_keyring, clock.now())
    # Values sealed under the master key itself, before data keys, still open.
    sealer = Sealer(sealing_key, fallback=(keys.master_key, *keys.previous_master_keys))
    return Runtime(settings=settings, db=db, clock=clock, keys=keys, sealer=sealer)


@dataclass(frozen=True)
class DemoSetup:
    merchant: Merchant
    credentials: IssuedCredentials
    boarding: DemoPartner | None = None  # a partner with a rep code and a boarding client
    sign_ins: tuple[DemoSignIn, ...] = ()  # the dashboard's demo users, passwords shown once


async def create_demo_if_empty(runtime: Runtime) -> DemoSetup | None:
    """On an empty database: a demo merchant with Payments API credentials."""
    async with runtime.db.transaction() as session:
        if await merchant_repository.count_all(session) > 0:
            return None
        merchant = await merchants.create(
            session, runtime, MerchantCreate(name="Homerun Demo Store", accepts=Accepts.BOTH)
        )
        await schedule.ensure_for_merchant(session, runtime, merchant)
        credentials = await auth.issue(session, runtime, merchant)
        demo_partner = await boarding.create_demo(session, runtime)
        partner_id = demo_partner.partner.id if demo_partner is not None else None
        sign_ins = await create_demo_users(session, runtime, merchant.id, partner_id)
        return DemoSetup(merchant, credentials, demo_partner, tuple(sign_ins))
