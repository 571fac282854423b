"""Run a bench SQL file against a SQLite database: python sqlite_exec.py DB FILE [name=value...].

`:name` in the file is replaced by the value as a quoted SQL string, as an integer when the
argument is written `name:int=value`, or as written for `name:raw=value` (SQL text). The SQL
itself does the work (a recursive CTE for seeding), so no row ever passes through Python.
Prints the time taken and the row counts of the tables it touched.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from pathlib import Path


def parse_params(args: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for arg in args:
        name, _, value = arg.partition("=")
        if name.endswith(":int"):
            params[name.removesuffix(":int")] = str(int(value))
        elif name.endswith(":raw"):
            params[name.removesuffix(":raw")] = value
        else:
            params[name] = "'" + value.replace("'", "''") + "'"
    return params


def render(sql: str, params: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return params.get(name, match.group(0))

    # `:name` only: not `::type` casts.
    return re.sub(r"(?<![:\w]):([a-z_]+)\b", sub, sql)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    db_path, sql_path = argv[1], argv[2]
    params = parse_params(argv[3:])
    sql = render(Path(sql_path).read_text(), params)
    started = time.monotonic()
    con = sqlite3.connect(db_path, isolation_level=None, timeout=60)
    try:
        con.execute("PRAGMA foreign_keys=ON")
        con.executescript(sql)
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("transactions", "outbox_events")
        }
    finally:
        con.close()
    took = time.monotonic() - started
    print(f"{Path(sql_path).name}: {took:.1f} s; rows now: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
