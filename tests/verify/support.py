"""Asserting the books hold: the verify service over the test's database."""

from __future__ import annotations

from homerun.runtime import Runtime
from homerun.verify import service
from homerun.verify.violation import Violation


async def violations(runtime: Runtime, *only: str) -> list[Violation]:
    """Every violation found (all of them: a test's database is small)."""
    report = await service.run(runtime, examples=1_000_000, only=only)
    return [v for finding in report.findings for v in finding.examples]


async def assert_books_verify(runtime: Runtime) -> None:
    found = await violations(runtime)
    assert found == [], found
