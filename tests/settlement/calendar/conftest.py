"""Batches and deposits around bank holidays: the clock moves over weeks, in a database of
this package's own, so a move pays only for these tests' rows (not every settlement test's)."""

from tests.conftest import database_of_its_own

database_url, settings, runtime, client = database_of_its_own()
