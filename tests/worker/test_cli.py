"""`homerun worker` is a command of the CLI."""

from __future__ import annotations

from typer.testing import CliRunner

from homerun.cli import app


def test_worker_command_is_documented() -> None:
    result = CliRunner().invoke(app, ["worker", "--help"])
    assert result.exit_code == 0
    assert "--concurrency" in result.output
    assert "HOMERUN_WORKER_IN_SERVER" in result.output
