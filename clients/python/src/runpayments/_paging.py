"""The ORDS collection envelope (ruling R9) and the calls that fetch one page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Generic, TypeVar

from pydantic import Field

from ._call import Auth, Call, parser
from .models import Link
from .models._base import Answer
from .query import Q

T = TypeVar("T")
MAX_LIMIT = 10_000


class Page(Answer, Generic[T]):
    items: list[T]
    has_more: bool = Field(alias="hasMore")
    limit: int
    offset: int
    count: int
    links: list[Link]


def page_call(
    path: str,
    kind: type[T],
    auth: Auth,
    q: Q | Mapping[str, object] | None,
    limit: int,
    offset: int,
) -> Call[Page[T]]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1 to {MAX_LIMIT}")
    params: dict[str, str | int] = {"limit": limit, "offset": offset}
    if q is not None:
        params["q"] = q.to_json() if isinstance(q, Q) else json.dumps(q, separators=(",", ":"))
    return Call("GET", path, parser(Page[kind]), auth, params=params)  # type: ignore[valid-type]


def next_offset(page: Page[T], offset: int) -> int | None:
    """Where the page after `page` (read at `offset`) starts; None after the last."""
    if not page.has_more or not page.items:
        return None
    return offset + len(page.items)
