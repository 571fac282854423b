"""This package's tests move the sandbox clock far: they get a database of their own."""

from tests.conftest import database_of_its_own

database_url, settings, runtime, client = database_of_its_own()
