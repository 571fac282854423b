"""What a running Homerun holds: settings, database, clock and keys.

Built once by create_app; services receive it instead of reaching for globals.
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


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    keys: InstanceKeys
    sealer: Sealer  # the instance's own secrets, under the instance data key
    # Unwrapped per-merchant data keys (homerun.keys), filled as they are used.
    data_keys: DataKeyCache = field(default_factory=DataKeyCache)
    # Card tokens this process has used, once committed (homerun.tokenizer.cache).
    known_cards: KnownCards = field(default_factory=KnownCards)

    def secret_hash(self, value: str) -> str:
        """How a secret or a card number is stored for lookup: a keyed hash."""
        return keyed_hash(self.keys.secret_key, value)
