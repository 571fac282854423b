"""`homerun ...` commands run in this process: the installed command's own Typer app, its
settings read from the environment it is given, its output and exit code as an operator
would see them, without a Python start-up and a full import per command.

tests/test_cli.py runs the installed `homerun` as a subprocess, which is where the entry
point, `serve` and `worker` are tested; the other command-line tests use this.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

from typer.testing import CliRunner

from homerun.cli import app

_RUNNER = CliRunner()
# The runner swaps this process's stdout, stderr and environment while a command runs, so
# commands run one at a time, even when a test starts several together.
_ONE_AT_A_TIME = threading.Lock()


def _invoke(args: list[str], env: dict[str, str | None]) -> Any:
    with _ONE_AT_A_TIME:
        return _RUNNER.invoke(app, args, env=env)


async def homerun(db_url: str, *args: str, **env: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `homerun *args` on `db_url`.

    The command runs in a thread of its own, since it runs its own event loop; this
    process's HOMERUN_ settings are hidden from it, as tests/processes.cli_env does for a
    subprocess. A crash (an exception the command did not turn into an exit code) is
    raised here, where a subprocess would have printed its traceback.
    """
    hidden: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("HOMERUN_")
    }
    environment = {**hidden, "HOMERUN_DATABASE_URL": db_url, **env}
    result = await asyncio.to_thread(_invoke, list(args), environment)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
