"""A free loopback port for a test's own server.

./scripts/test runs the SQLite and the PostgreSQL suites at the same time. A port that the
kernel hands out for bind(0) and the test then releases could be handed to the other suite in
the moment before the test's server binds it, so each suite draws from a range of its own
(HOMERUN_TEST_PORTS, "first-last", set by ./scripts/test), below the kernel's ephemeral
range. Without the setting the kernel chooses.
"""

from __future__ import annotations

import os
import random
import socket


def free_port() -> int:
    span = os.environ.get("HOMERUN_TEST_PORTS")
    if not span:
        return _bound_port(0)
    first, last = (int(part) for part in span.split("-"))
    for _ in range(200):
        try:
            return _bound_port(random.randint(first, last))
        except OSError:
            continue  # in use (or lingering) here: draw again
    raise RuntimeError(f"no free port in HOMERUN_TEST_PORTS={span}")


def _bound_port(port: int) -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
        bound: int = probe.getsockname()[1]
        return bound
