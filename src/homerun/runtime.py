"""What a running Homerun holds: settings, database, clock and keys.

Built once by create_app; services receive it instead of reaching for globals.
"""

from __future__ import annotations

from dataclasses import dataclass

from homerun.config import Settings
from homerun.instance.service import InstanceKeys
from homerun.kit.clock import Clock
from homerun.kit.crypto import Sealer
from homerun.kit.db.engine import Database
from homerun.kit.ids import keyed_hash


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    keys: InstanceKeys
    sealer: Sealer

    def secret_hash(self, value: str) -> str:
        """How a secret or a card number is stored for lookup: a keyed hash."""
        return keyed_hash(self.keys.secret_key, value)
