"""What a running Homerun holds: settings, database, clock, keys and its process caches.

Built once by create_app; services receive it instead of reaching for globals, so two
runtimes in one process (tests, embedding) share nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homerun.config import Settings
from homerun.instance.service import InstanceKeys
from homerun.kit.clock import Clock
from homerun.kit.crypto import DataKeyCache, Sealer
from homerun.kit.db.engine import Database
from homerun.kit.ids import keyed_hash
from homerun.kit.known_cards import KnownCards
from homerun.kit.process_caches import ProcessCaches


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    keys: InstanceKeys
    sealer: Sealer  # the instance's own secrets, under the instance data key
    # Unwrapped per-merchant data keys (homerun.keys), filled as they are used.
    data_keys: DataKeyCache = field(default_factory=DataKeyCache)
    # Card tokens this process has used, once committed (homerun.kit.known_cards).
    known_cards: KnownCards = field(default_factory=KnownCards)
    # Recent credential look-ups, each package's own kind (homerun.auth.cache's api_keys,
    # homerun.oauth.cache's clients), trusted for 2 s.
    caches: ProcessCaches = field(default_factory=ProcessCaches)

    def forget_credentials(self) -> None:
        """Forget every remembered credential: the next use of each asks the database."""
        self.caches.forget_all()

    def secret_hash(self, value: str) -> str:
        """How a secret or a card number is stored for lookup: a keyed hash."""
        return keyed_hash(self.keys.secret_key, value)
