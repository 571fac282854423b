"""A plan over a year: the clock moves twelve months, in a database of this package's own,
so the move pays only for this plan (not for every billing test's plans still running)."""

from tests.conftest import database_of_its_own

database_url, settings, runtime, client = database_of_its_own()
