"""What the tokenizer keeps in the runtime's card memory (homerun.kit.known_cards).

A token row never changes once made, but for its stored expiry. So what a charge that
brings its own expiry needs of a card this process has found before (the token, brand,
BIN, last four, sealed number, id) can come from memory, saving the look-up; for a card
number, the expiry is then written with the charge (the tokenizer's ExpiryWrite, which
the charge's statement carries), so the row ends as it would have after the look-up.
Rows are never deleted, so an entry cannot go stale.
"""

from __future__ import annotations

from homerun.kit.known_cards import KnownCards
from homerun.tokenizer.models import CardToken

_COLUMNS = [c.key for c in CardToken.__table__.columns if c.key != "expiry"]


def remember(known: KnownCards, row: CardToken) -> None:
    """Keep a snapshot of `row` without its expiry (the caller's row stays its own)."""
    known.remember(CardToken(**{key: getattr(row, key) for key in _COLUMNS}, expiry=None))


def by_fingerprint(known: KnownCards, merchant_id: int, fingerprint: str) -> CardToken | None:
    found = known.get(merchant_id, fingerprint)
    return found if isinstance(found, CardToken) else None


def by_token(known: KnownCards, merchant_id: int, token: str) -> CardToken | None:
    found = known.by_token(merchant_id, token)
    return found if isinstance(found, CardToken) else None
