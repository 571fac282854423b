"""What a check finds: one broken promise about one subject (a journal, a merchant, a row)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.crypto import Sealer


@dataclass(frozen=True, slots=True)
class Violation:
    """`check` names the invariant, `subject_id` what breaks it (a journal name, a trans_id,
    a mid, a funding id...), `detail` how, in ids and amounts only: never card data."""

    check: str
    subject_id: str
    detail: str


@dataclass(frozen=True, slots=True)
class Scope:
    """What a check may need beyond the snapshot: the instance clock's now (deadlines) and
    the sealer (kept answers are sealed)."""

    now: datetime
    sealer: Sealer


Finder = Callable[[AsyncSession, Scope], AsyncIterator[Violation]]


@dataclass(frozen=True, slots=True)
class Check:
    """One invariant: its name (`family.what`), what it promises, and the finder that
    streams its violations."""

    name: str
    promise: str
    find: Finder
