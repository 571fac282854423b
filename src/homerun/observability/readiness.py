"""Readiness: may this node take traffic? Liveness (GET /homerun/v1/health) only says the
process answers; ready (GET /homerun/v1/ready) also says:

- database: it answers, within READY_TIMEOUT_SECONDS;
- migrations: the schema is at the head revision this code was written for (a node
  started before `homerun migrate` finished, or a database left behind by a rollback,
  answers 503);
- worker: no due job has waited for a worker longer than
  HOMERUN_READY_MAX_JOB_LAG_SECONDS (0: not checked).

Each check is one small read; the route (homerun.observability.routes) runs them in
that order, and a check that cannot run because an earlier one failed says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.migrate import alembic_config

READY_TIMEOUT_SECONDS = 5.0
OK = "ok"
NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Check:
    name: str
    detail: str  # "ok", or what is wrong

    @property
    def ok(self) -> bool:
        return self.detail == OK


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The head of the migration history shipped with this code (read once a process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


async def current_revisions(session: AsyncSession) -> frozenset[str]:
    rows = await session.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(str(row[0]) for row in rows)


def migrations_check(current: frozenset[str] | None) -> Check:
    heads = head_revisions()
    if current == heads:
        return Check("migrations", OK)
    found = ", ".join(sorted(current)) if current else "none"
    return Check("migrations", f"schema at {found}, this code needs {', '.join(sorted(heads))}")


def worker_check(waited_seconds: float | None, limit_seconds: float) -> Check:
    if limit_seconds <= 0 or waited_seconds is None or waited_seconds <= limit_seconds:
        return Check("worker", OK)
    return Check(
        "worker",
        f"a due job has waited {waited_seconds:.0f} s for a worker (limit {limit_seconds:g} s)",
    )


def answer(checks: list[Check], database: str) -> tuple[dict[str, Any], int]:
    """The body and status of GET /homerun/v1/ready."""
    failed = [check.name for check in checks if not check.ok and check.detail != NOT_CHECKED]
    body: dict[str, Any] = {"status": "unavailable" if failed else "ready", "database": database}
    if failed:
        body["failed"] = failed
    body["checks"] = {check.name: check.detail for check in checks}
    return body, 503 if failed else 200
