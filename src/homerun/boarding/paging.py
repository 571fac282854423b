"""Paging and `q` of the Boarding API's lists (ruling R9): the fields each list filters on."""

from __future__ import annotations

from dataclasses import dataclass

from homerun.boarding import state
from homerun.errors import ValidationFailed
from homerun.reporting import q as qfilter
from homerun.reporting.envelope import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

MAX_OFFSET = 10_000_000

# The Boarding API's list fields, as `q` sees them (ruling R9).
STATUS_DOMAIN = qfilter.Domain(tuple((n, s.value) for s, n in state.STATUS_IDS.items()))
MERCHANT_FIELDS: dict[str, qfilter.Field] = {
    f.name: f
    for f in (
        qfilter.Field("merchant_id", qfilter.Kind.INTEGER),
        qfilter.Field("platform", qfilter.Kind.TEXT, convert=lambda s: str(s).lower()),
        qfilter.Field("rep_code", qfilter.Kind.TEXT),
        qfilter.Field("customer_id", qfilter.Kind.INTEGER),
        qfilter.Field("mid", qfilter.Kind.TEXT),
        qfilter.Field("dba_name", qfilter.Kind.TEXT),
        qfilter.Field("legal_name", qfilter.Kind.TEXT),
        qfilter.Field("merchant_status", qfilter.Kind.TEXT),
        qfilter.Field("merchant_status_id", qfilter.Kind.MAPPED, wire_type="integer"),
        qfilter.Field("pended", qfilter.Kind.INTEGER),
        qfilter.Field("merchant_type_id", qfilter.Kind.INTEGER),
        qfilter.Field("external_crm_id", qfilter.Kind.TEXT),
        qfilter.Field("custom_01", qfilter.Kind.TEXT),
    )
}
MERCHANT_DOMAINS = {"merchant_status_id": STATUS_DOMAIN}
REP_CODE_FIELDS: dict[str, qfilter.Field] = {
    f.name: f
    for f in (
        qfilter.Field("rep_code_id", qfilter.Kind.INTEGER),
        qfilter.Field("rep_code", qfilter.Kind.TEXT),
        qfilter.Field("name", qfilter.Kind.TEXT),
    )
}
MCC_FIELDS: dict[str, qfilter.Field] = {
    f.name: f
    for f in (
        qfilter.Field("mcc_code", qfilter.Kind.TEXT),
        qfilter.Field("description", qfilter.Kind.TEXT),
    )
}


@dataclass(frozen=True)
class Listing:
    page: PageRequest
    query: qfilter.Query


def _whole(name: str, text: str | None, default: int, most: int) -> int:
    if text is None or not text.strip():
        return default
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        raise ValidationFailed.field(name, "must be a whole number, 0 or more")
    return min(int(value[:12]), most)


def listing(
    q: str | None, limit: str | None, offset: str | None, fields: dict[str, qfilter.Field]
) -> Listing:
    """limit (25 by default, more than 10,000 read as 10,000), offset, and a checked q."""
    limit_value = _whole("limit", limit, DEFAULT_LIMIT, MAX_LIMIT)
    if limit_value == 0:
        raise ValidationFailed.field("limit", "must be at least 1")
    page = PageRequest(
        limit=limit_value,
        offset=_whole("offset", offset, 0, MAX_OFFSET),
        q=q if q and q.strip() else None,
    )
    return Listing(page, qfilter.parse(q, fields))
