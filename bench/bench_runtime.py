"""What the in-process meters start from: a migrated database, an open runtime, a merchant.

Imported by the scripts beside it (cpu_per_charge.py, server_calls.py, ach_batch_file.py),
which Python runs with this folder on sys.path.
"""

from __future__ import annotations

import os

from homerun.auth import service as auth
from homerun.auth.service import IssuedCredentials
from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.merchants import service as merchants
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantCreate
from homerun.runtime import Runtime
from homerun.startup import open_runtime


async def migrated_runtime(url: str, admin_token: str, *, steady_keys: bool = True) -> Runtime:
    """The runtime of `url` (an empty database), migrated first. Dispose of its db after.
    `steady_keys`: an api_key is remembered for a year, so no look-up expires mid-run and
    every charge costs the same."""
    os.environ["HOMERUN_DATABASE_URL"] = url
    os.environ.setdefault("HOMERUN_ADMIN_TOKEN", admin_token)
    if steady_keys:
        os.environ.setdefault("HOMERUN_API_KEY_TTL_SECONDS", "31536000")
    settings = Settings()
    db = Database(create_engine(settings))
    try:
        await upgrade_to_head(db.engine)
    finally:
        await db.dispose()
    return await open_runtime(settings)


async def new_merchant(runtime: Runtime, name: str, accepts: str | None = None) -> Merchant:
    fields = {"name": name} if accepts is None else {"name": name, "accepts": accepts}
    async with runtime.db.transaction() as session:
        return await merchants.create(session, runtime, MerchantCreate.model_validate(fields))


async def credentials(runtime: Runtime, merchant: Merchant) -> IssuedCredentials:
    async with runtime.db.transaction() as session:
        return await auth.issue(session, runtime, merchant)
