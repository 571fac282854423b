"""Per-process memory of card tokens already found, by fingerprint and by token.

A token row never changes once made, but for its stored expiry. So what a charge that
brings its own expiry needs of a card this process has found before (the token, brand,
BIN, last four, sealed number, id) can come from memory, saving the look-up; for a card
number, the expiry is then written with the charge's own statement
(payments.repository.insert_with_event), so the row ends as it would have after the
look-up. Rows are never deleted, so an entry cannot go stale.
"""

from __future__ import annotations

from homerun.tokenizer.models import CardToken

_COLUMNS = [c.key for c in CardToken.__table__.columns if c.key != "expiry"]


class KnownCards:
    """(merchant id, fingerprint) and (merchant id, token) -> a snapshot of the token
    row, its expiry left out.

    Snapshots belong to no session and are shared by every charge that finds them:
    they are read, never changed (a change would be lost, and seen by other charges).
    """

    # ~1.3 KiB each (so at most ~13 MiB); forgetting everything at the cap keeps it simple.
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._by_fingerprint: dict[tuple[int, str], CardToken] = {}
        self._by_token: dict[tuple[int, str], CardToken] = {}

    def get(self, merchant_id: int, fingerprint: str) -> CardToken | None:
        return self._by_fingerprint.get((merchant_id, fingerprint))

    def by_token(self, merchant_id: int, token: str) -> CardToken | None:
        return self._by_token.get((merchant_id, token))

    def remember(self, row: CardToken) -> None:
        if len(self._by_fingerprint) >= self.MAX_ENTRIES:
            self._by_fingerprint.clear()
            self._by_token.clear()
        snapshot = CardToken(**{key: getattr(row, key) for key in _COLUMNS}, expiry=None)
        self._by_fingerprint[(row.merchant_id, row.fingerprint)] = snapshot
        self._by_token[(row.merchant_id, row.token)] = snapshot

    def __len__(self) -> int:
        return len(self._by_fingerprint)
