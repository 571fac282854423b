"""Per-process memory of card token rows already found, by fingerprint and by token.

Runtime holds one. What a snapshot is (a token row without its expiry) is the
tokenizer's business (homerun.tokenizer.cache); this memory only needs the keys it is
found by, so the runtime can hold it without importing the tokenizer.
"""

from __future__ import annotations

from typing import Protocol


class CardRow(Protocol):
    """What a remembered card is found by."""

    @property
    def merchant_id(self) -> int: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def token(self) -> str: ...


class KnownCards:
    """(merchant id, fingerprint) and (merchant id, token) -> a snapshot of a card row.

    Snapshots belong to no session and are shared by every charge that finds them:
    they are read, never changed (a change would be lost, and seen by other charges).
    """

    # ~1.3 KiB each (so at most ~13 MiB); forgetting everything at the cap keeps it simple.
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._by_fingerprint: dict[tuple[int, str], CardRow] = {}
        self._by_token: dict[tuple[int, str], CardRow] = {}

    def get(self, merchant_id: int, fingerprint: str) -> CardRow | None:
        return self._by_fingerprint.get((merchant_id, fingerprint))

    def by_token(self, merchant_id: int, token: str) -> CardRow | None:
        return self._by_token.get((merchant_id, token))

    def remember(self, snapshot: CardRow) -> None:
        if len(self._by_fingerprint) >= self.MAX_ENTRIES:
            self.forget()
        self._by_fingerprint[(snapshot.merchant_id, snapshot.fingerprint)] = snapshot
        self._by_token[(snapshot.merchant_id, snapshot.token)] = snapshot

    def forget(self) -> None:
        """Forget every card (at the cap, or when a test or an operator asks)."""
        self._by_fingerprint.clear()
        self._by_token.clear()

    def __len__(self) -> int:
        return len(self._by_fingerprint)
