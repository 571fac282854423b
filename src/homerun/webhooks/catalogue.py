"""Every webhook event type: Run's list (spec §10, ruling R13) and Homerun's additions.

An endpoint asks for event types by exact name, by family (`transaction.*`), or for
everything (`*`). Merchant endpoints receive their merchant's payment, chargeback and
funding events; partner endpoints receive the boarding events of their applications
and every event of the merchants they boarded (their sub-partners' included).
"""

from __future__ import annotations

from dataclasses import dataclass

MERCHANT = "merchant"  # a merchant's own events: payments, chargebacks, funding
PARTNER = "partner"  # boarding events: only partner endpoints receive them

ALL = "*"


@dataclass(frozen=True)
class EventType:
    name: str
    audience: str
    origin: str  # "run": on Run's list; "homerun": Homerun's addition
    emitted: bool  # False: on Run's list, but nothing in Homerun produces it
    meaning: str


def _t(name: str, audience: str, origin: str, emitted: bool, meaning: str) -> EventType:
    return EventType(name, audience, origin, emitted, meaning)


EVENT_TYPES: tuple[EventType, ...] = (
    _t("transaction.entered", MERCHANT, "run", True, "a charge was approved"),
    _t("transaction.decline", MERCHANT, "run", True, "the issuer declined a charge"),
    _t("transaction.reject", MERCHANT, "run", True, "the gateway refused a charge"),
    _t("transaction.capture", MERCHANT, "homerun", True, "an authorization was captured"),
    _t("transaction.void", MERCHANT, "homerun", True, "an unsettled transaction was voided"),
    _t("transaction.refund", MERCHANT, "run", True, "a settled sale was refunded in full"),
    _t("transaction.partialrefund", MERCHANT, "run", True, "a settled sale was refunded in part"),
    _t("transaction.returned", MERCHANT, "homerun", True, "the bank returned an ACH payment"),
    _t("transaction.noc", MERCHANT, "homerun", True, "the bank notified an ACH account change"),
    _t("chargeback.entered", MERCHANT, "run", True, "a chargeback was opened"),
    _t("chargeback.won", MERCHANT, "homerun", True, "a chargeback was decided for the merchant"),
    _t("chargeback.lost", MERCHANT, "homerun", True, "a chargeback was decided against it"),
    _t("funding.entered", MERCHANT, "run", True, "a deposit was made"),
    _t("statement.entered", MERCHANT, "run", False, "a statement is ready (not produced)"),
    _t("merchant.new", PARTNER, "run", True, "an application was created"),
    _t("merchant.sent_for_signature", PARTNER, "run", True, "sent to the signer"),
    _t("merchant.signed", PARTNER, "run", True, "the signer signed"),
    _t("merchant.in_underwriting", PARTNER, "run", True, "submitted to underwriting"),
    _t("merchant.boarded", PARTNER, "run", True, "approved; the merchant has its MID"),
    _t("merchant.live", PARTNER, "run", True, "the merchant went live"),
    _t("merchant.cancelled", PARTNER, "run", True, "the application was withdrawn"),
    _t("merchant.declined", PARTNER, "run", True, "underwriting declined it"),
    _t("merchant.unknown", PARTNER, "run", False, "status unknown (not produced)"),
    _t("merchant.deleted", PARTNER, "run", True, "the application was deleted"),
    _t("boarding.varcomplete", PARTNER, "run", False, "VAR information complete (not produced)"),
)

BY_NAME: dict[str, EventType] = {t.name: t for t in EVENT_TYPES}
FAMILIES: frozenset[str] = frozenset(t.name.split(".", 1)[0] for t in EVENT_TYPES)
BOARDING_FAMILIES = frozenset({"merchant", "boarding"})


def is_boarding(event_type: str) -> bool:
    return event_type.split(".", 1)[0] in BOARDING_FAMILIES


def pattern_problem(pattern: str, *, partner: bool) -> str | None:
    """Why an endpoint may not ask for `pattern`, or None when it may."""
    if pattern == ALL:
        return None
    family, _, rest = pattern.partition(".")
    if rest == "*":
        if family not in FAMILIES:
            return f"{pattern!r} names no event family ({', '.join(sorted(FAMILIES))})"
    elif pattern not in BY_NAME:
        return f"{pattern!r} is not an event type (GET /homerun/v1/webhooks/event-types)"
    if family in BOARDING_FAMILIES and not partner:
        return f"{pattern!r} is a boarding event: only partner endpoints receive those"
    return None


def matches(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern in (ALL, event_type):
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False
