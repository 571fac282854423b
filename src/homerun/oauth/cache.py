"""The per-process memory of OAuth client look-ups, held by the Runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# How long a look-up is believed without asking the database again.
CACHE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ClientRef:
    """What a token endpoint or a cheap protected endpoint needs to know of a client."""

    pk: int
    client_id: str
    audience: str


@dataclass(slots=True)
class Credential:
    ref: ClientRef
    secret_expires_at: datetime | None  # instance (sandbox) clock
    fresh_until: float  # time.monotonic()


@dataclass
class ClientCache:
    """Recent look-ups, so hot paths need no database round trip.

    Successful client authentications and active-client checks are kept for
    CACHE_SECONDS. A secret's own expiry (rotation overlap) is checked on every hit
    against the instance clock. Revoking or rotating a client forgets it here at once;
    other server processes notice within CACHE_SECONDS.
    """

    MAX_ENTRIES = 10_000

    credentials: dict[tuple[str, str], Credential] = field(default_factory=dict)
    active: dict[int, tuple[ClientRef | None, float]] = field(default_factory=dict)

    def forget(self, client_pk: int) -> None:
        """Forget one client (rotated or revoked)."""
        self.active.pop(client_pk, None)
        for key in [k for k, v in self.credentials.items() if v.ref.pk == client_pk]:
            del self.credentials[key]

    def clear(self) -> None:
        self.credentials.clear()
        self.active.clear()

    def bound(self) -> None:
        """Start again when full, rather than grow without limit."""
        if len(self.credentials) > self.MAX_ENTRIES or len(self.active) > self.MAX_ENTRIES:
            self.clear()
