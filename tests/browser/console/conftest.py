"""The console's clock, the deposits page's scripted week and a boarded merchant followed to
live move the instance clock far: a database and a live Homerun of their own, so the rest of
the browser tests keep their clock."""

from __future__ import annotations

from tests.browser.conftest import live_homerun
from tests.conftest import database_of_its_own

database_url, settings, runtime, client = database_of_its_own()
homerun = live_homerun("package", "homerun-console")
