"""A verify run: every check over one read-only snapshot, each counted in full with its
first few violations kept, so that what the run holds does not grow with the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from homerun.runtime import Runtime
from homerun.verify import (
    idempotency,
    ledger,
    outbox,
    reconciliation,
    references,
    settlement,
    transactions,
)
from homerun.verify.reader import snapshot
from homerun.verify.violation import Check, Scope, Violation

CHECKS: tuple[Check, ...] = (
    *ledger.CHECKS,
    *transactions.CHECKS,
    *settlement.CHECKS,
    *reconciliation.CHECKS,
    *outbox.CHECKS,
    *idempotency.CHECKS,
    *references.CHECKS,
)


@dataclass
class Finding:
    """One check's outcome: how many violations, and the first `examples` of them."""

    check: Check
    count: int = 0
    examples: list[Violation] = field(default_factory=list)


@dataclass
class Report:
    findings: list[Finding]

    @property
    def violations(self) -> int:
        return sum(f.count for f in self.findings)

    @property
    def clean(self) -> bool:
        return self.violations == 0

    def counts(self) -> dict[str, int]:
        """Violations per check, every check named (0 when it holds): what a metric reads."""
        return {f.check.name: f.count for f in self.findings}


async def run(runtime: Runtime, *, examples: int = 5, only: Iterable[str] = ()) -> Report:
    """Run the checks (all, or those named in `only`) over one snapshot of the database."""
    wanted = set(only)
    chosen = [c for c in CHECKS if not wanted or c.name in wanted]
    scope = Scope(now=runtime.clock.now(), sealer=runtime.sealer)
    findings = []
    async with snapshot(runtime.settings) as session:
        for check in chosen:
            finding = Finding(check)
            async for violation in check.find(session, scope):
                finding.count += 1
                if len(finding.examples) < examples:
                    finding.examples.append(violation)
            findings.append(finding)
    return Report(findings)


def names() -> list[str]:
    return [c.name for c in CHECKS]
