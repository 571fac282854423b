"""The ORDS collection envelope, written as a stream (ruling R9).

`{"items": [...], "hasMore": b, "limit": n, "offset": n, "count": n, "links": [...]}`: the
items are encoded one partition at a time as the database hands them over, and the fields
that depend on how many rows there were come after them, so no page is ever held whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import orjson

DEFAULT_LIMIT = 25
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int
    q: str | None


def links(base_url: str, path: str, page: PageRequest, has_more: bool) -> list[dict[str, str]]:
    """self, first, and next/prev where they apply; hrefs are absolute (public base URL)."""

    def href(offset: int) -> str:
        params: dict[str, str | int] = {}
        if page.q:
            params["q"] = page.q
        params["limit"] = page.limit
        params["offset"] = offset
        return f"{base_url.rstrip('/')}{path}?{urlencode(params, quote_via=quote)}"

    out = [{"rel": "self", "href": href(page.offset)}, {"rel": "first", "href": href(0)}]
    if has_more:
        out.append({"rel": "next", "href": href(page.offset + page.limit)})
    if page.offset > 0:
        out.append({"rel": "prev", "href": href(max(page.offset - page.limit, 0))})
    return out


async def stream(
    chunks: AsyncIterator[Iterable[dict[str, Any]]],
    page: PageRequest,
    base_url: str,
    path: str,
) -> AsyncIterator[bytes]:
    """The envelope as bytes; `chunks` yields lists of items, at most limit + 1 in all."""
    yield b'{"items":['
    count = 0
    has_more = False
    async for chunk in chunks:
        parts: list[bytes] = []
        for item in chunk:
            if count == page.limit:
                has_more = True
                break
            parts.append(orjson.dumps(item))
            count += 1
        if parts:
            yield (b"," if count > len(parts) else b"") + b",".join(parts)
        if has_more:
            break
    tail = {
        "hasMore": has_more,
        "limit": page.limit,
        "offset": page.offset,
        "count": count,
        "links": links(base_url, path, page, has_more),
    }
    yield b"]," + orjson.dumps(tail)[1:]
