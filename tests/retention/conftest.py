"""Purges delete by age across the whole database: these tests get one of their own."""

from tests.conftest import database_of_its_own

database_url, settings, runtime, client = database_of_its_own()
