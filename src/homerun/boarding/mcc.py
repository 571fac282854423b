"""The /mcc utility list: merchant category codes are data, not a table, so its `q` runs in
Python with the same operators the SQL lists have."""

from __future__ import annotations

from typing import Any

from homerun.boarding import validation as v
from homerun.boarding.paging import Listing
from homerun.reporting import q as qfilter


def _holds(node: qfilter.Node | None, item: dict[str, Any]) -> bool:
    """A `q` tree evaluated on one in-memory item."""
    if node is None:
        return True
    if isinstance(node, qfilter.And):
        return all(_holds(part, item) for part in node.parts)
    if isinstance(node, qfilter.Or):
        return any(_holds(part, item) for part in node.parts)
    value = item.get(node.field)
    if node.op == "$null":
        return value is None
    if node.op == "$notnull":
        return value is not None
    return value is not None and qfilter.python_test(node.op, node.value)(value)


def mcc_page(request: Listing) -> list[dict[str, Any]]:
    """The page of merchant category codes (limit + 1 at most, for hasMore)."""
    items = [{"mcc_code": code, "description": text} for code, text in v.mcc_codes().items()]
    chosen = [item for item in items if _holds(request.query.where, item)]
    for name, descending in reversed(request.query.order_by):
        chosen.sort(key=lambda item: item[name], reverse=descending)
    page = request.page
    return chosen[page.offset : page.offset + page.limit + 1]
