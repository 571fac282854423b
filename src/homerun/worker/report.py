"""What a run of jobs did: counters and the ids of what it made, for the clock's answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# The most ids of one sort an answer lists; counters are always complete.
ID_LIMIT = 200


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    ids: dict[str, list[str]] = field(default_factory=dict)

    def count(self, name: str, amount: int = 1) -> None:
        if amount:
            self.counts[name] += amount

    def made(self, name: str, identifier: str | int) -> None:
        """One thing of sort `name` was made (counted and, up to a limit, listed)."""
        self.counts[name] += 1
        listed = self.ids.setdefault(name, [])
        if len(listed) < ID_LIMIT:
            listed.append(str(identifier))

    def merge(self, other: Report) -> None:
        self.counts.update(other.counts)
        for name, values in other.ids.items():
            listed = self.ids.setdefault(name, [])
            listed.extend(values[: max(0, ID_LIMIT - len(listed))])

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.counts.items())), "ids": self.ids}
