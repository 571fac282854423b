"""`homerun verify`: prove the books. Prints each check with its count of violations and the
first examples (ids and amounts, never card data) and a summary; exits 1 on any violation."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console

from homerun.config import Settings
from homerun.startup import open_runtime
from homerun.verify import service
from homerun.verify.service import Report

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False)


def verify(
    examples: Annotated[int, typer.Option(min=0, max=1000, help="Violations shown per check.")] = 5,
    check: Annotated[
        list[str] | None,
        typer.Option(help="Run only this check (repeatable); all when not given."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Check every invariant of the books over the whole database, read-only.

    Exit status 0 when every check holds, 1 on any violation.
    """
    unknown = sorted(set(check or ()) - set(service.names()))
    if unknown:
        errors.print(f"error: no check named {', '.join(unknown)}", markup=False)
        errors.print(f"checks: {', '.join(service.names())}", markup=False)
        raise typer.Exit(2)
    report = asyncio.run(_run(Settings(), examples, check or ()))
    if as_json:
        print(json.dumps(as_document(report), indent=2))
    else:
        _print(report)
    raise typer.Exit(0 if report.clean else 1)


async def _run(settings: Settings, examples: int, only: list[str] | tuple[()]) -> Report:
    runtime = await open_runtime(settings, generate_admin_token=False)
    try:
        return await service.run(runtime, examples=examples, only=only)
    finally:
        await runtime.db.dispose()


def as_document(report: Report) -> dict[str, object]:
    return {
        "clean": report.clean,
        "violations": report.violations,
        "checks": [
            {
                "check": f.check.name,
                "promise": f.check.promise,
                "violations": f.count,
                "examples": [{"subject_id": v.subject_id, "detail": v.detail} for v in f.examples],
            }
            for f in report.findings
        ],
    }


def _print(report: Report) -> None:
    width = max(len(f.check.name) for f in report.findings)
    for finding in report.findings:
        mark = "ok" if finding.count == 0 else f"{finding.count} violation(s)"
        console.print(f"{finding.check.name:<{width}}  {mark}", markup=False)
        for v in finding.examples:
            console.print(f"    {v.subject_id}: {v.detail}", markup=False)
        if finding.count > len(finding.examples):
            console.print(f"    ... and {finding.count - len(finding.examples)} more", markup=False)
    broken = sum(1 for f in report.findings if f.count)
    if report.clean:
        console.print(f"books verified: {len(report.findings)} checks, no violations", markup=False)
    else:
        console.print(
            f"books NOT verified: {report.violations} violation(s) in {broken} of"
            f" {len(report.findings)} checks",
            markup=False,
        )
