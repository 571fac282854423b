"""This package's tests move the sandbox clock: they get a database of their own, so that a
move pays only for this package's rows (tests.conftest.database_of_its_own)."""

from tests.conftest import database_of_its_own

database_url, settings, runtime, client = database_of_its_own()
