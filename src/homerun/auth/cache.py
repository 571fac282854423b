"""The per-process memory of recently authenticated api_keys, held by the Runtime."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from homerun.merchants.models import Merchant

# How long an api_key is believed without asking the database again.
CACHE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class _KnownKey:
    merchant: Merchant
    credential_set_id: int
    expires_at: datetime  # instance clock: checked on every use
    fresh_until: float  # time.monotonic(): when to ask the database again


def _snapshot(merchant: Merchant) -> Merchant:
    """A copy that belongs to no session: a rollback elsewhere cannot expire it."""
    columns = Merchant.__table__.columns
    return Merchant(**{column.key: getattr(merchant, column.key) for column in columns})


class ApiKeyCache:
    """Recently authenticated api_keys (one round trip less a call).

    An entry is trusted for CACHE_SECONDS; the key's own expiry (including a rotation's
    grace period) is checked against the instance clock on every use. Refreshing or
    revoking a credential set, or changing a merchant, forgets at once in the process
    that did it; other server processes notice within CACHE_SECONDS.
    """

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._keys: dict[str, _KnownKey] = {}
        self._looking_up: dict[str, asyncio.Future[Merchant]] = {}

    async def look_up_once(
        self, secret_hash: str, look_up: Callable[[], Awaitable[Merchant]]
    ) -> Merchant:
        """`look_up()` for a key that missed, shared by every request that misses it while
        it runs: when an entry goes stale under load, the database (on SQLite, its one
        write turn) is asked once, not once per waiting request. A waiter that is
        cancelled does not cancel the others' look-up."""
        running = self._looking_up.get(secret_hash)
        if running is None:
            running = self._looking_up[secret_hash] = asyncio.ensure_future(look_up())
            running.add_done_callback(lambda _: self._looking_up.pop(secret_hash, None))
        return await asyncio.shield(running)

    def get(self, secret_hash: str, now: datetime) -> Merchant | None:
        known = self._keys.get(secret_hash)
        if known is None or known.fresh_until <= time.monotonic() or now >= known.expires_at:
            return None
        return known.merchant

    def put(self, secret_hash: str, merchant: Merchant, set_id: int, expires: datetime) -> Merchant:
        """Remember the key; the merchant's snapshot is what every later use sees."""
        if len(self._keys) >= self.MAX_ENTRIES:
            self._keys.clear()
        fresh_until = time.monotonic() + CACHE_SECONDS
        known = _KnownKey(_snapshot(merchant), set_id, expires, fresh_until)
        self._keys[secret_hash] = known
        return known.merchant

    def forget_set(self, credential_set_id: int) -> None:
        """Forget every key of one credential set (refreshed or revoked)."""
        for key in [k for k, v in self._keys.items() if v.credential_set_id == credential_set_id]:
            del self._keys[key]

    def clear(self) -> None:
        """Forget every key (a merchant's settings changed: its snapshot is stale)."""
        self._keys.clear()
