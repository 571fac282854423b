"""Seed N transactions and N outbox events by copying the newest real ones, inside the database.

    .venv/bin/python bench/seed.py DATABASE_URL ROWS

One `INSERT ... SELECT` per table over `generate_series` (PostgreSQL) or a recursive CTE
(SQLite): no row passes through Python. The column list is read from the live schema and
every column is copied from a template row (the newest approved sale, the newest outbox
event), so the seed keeps working when columns are added; only these are varied:
order_id (random-looking, so its index grows as it would), processor_ref and source_id
(`SEED<n>`), and created_at/updated_at/occurred_at (spread over the 30 days before the
template). Seeded outbox events count as already dispatched where the schema records that
(`dispatched_at`), so that the server's worker does not take them for new events.
Run it after at least one real charge; then VACUUM ANALYZE (PostgreSQL) or a WAL
checkpoint (SQLite), so that the measurement that follows does not pay for them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable

SPREAD_SECONDS = 30 * 86400


def _varied(n: str, order_id: str, back: Callable[[str], str]) -> dict[str, Callable[[str], str]]:
    """The columns a seeded row does not copy from its template, as SQL expressions of the
    row number `n` (`back(col)` moves the template's time back by up to SPREAD_SECONDS)."""
    return {
        "order_id": lambda _: order_id,
        "processor_ref": lambda _: f"'SEED' || {n}",
        "source_id": lambda _: f"'SEED' || {n}",
        "created_at": back,
        "updated_at": back,
        "occurred_at": back,
        "dispatched_at": lambda _: back("occurred_at"),
    }


def pg_expressions(n: str) -> dict[str, Callable[[str], str]]:
    def back(col: str) -> str:
        return f"t.{col} - make_interval(secs => {n} % {SPREAD_SECONDS})"

    return _varied(n, f"'SEED' || upper(substr(md5({n}::text), 1, 14))", back)


def sqlite_expressions(n: str) -> dict[str, Callable[[str], str]]:
    def back(col: str) -> str:
        return (
            f"strftime('%Y-%m-%d %H:%M:%S', t.{col}, '-' || ({n} % {SPREAD_SECONDS}) || "
            "' seconds') || '.000000'"
        )

    return _varied(n, "'SEED' || hex(randomblob(7))", back)


TEMPLATES = {
    "transactions": "SELECT max(id) FROM transactions WHERE kind = 'sale' AND result = 'A'",
    "outbox_events": "SELECT max(id) FROM outbox_events",
}


def insert_sql(table: str, columns: list[str], template: int, rows: int, dialect: str) -> str:
    exprs = pg_expressions("g.n") if dialect == "postgresql" else sqlite_expressions("g.n")
    names = [c for c in columns if c != "id"]
    values = ", ".join(exprs[c](c) if c in exprs else f"t.{c}" for c in names)
    series = (
        f"generate_series(1, {rows}) AS g(n)"
        if dialect == "postgresql"
        else f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows})"
        " SELECT n FROM s) AS g"
    )
    return (
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"SELECT {values} FROM {table} AS t CROSS JOIN {series} WHERE t.id = {template}"
    )


def seed_sqlite(path: str, rows: int) -> dict[str, int]:
    con = sqlite3.connect(path, isolation_level=None, timeout=60)
    try:
        con.execute("BEGIN IMMEDIATE")
        for table, query in TEMPLATES.items():
            template = con.execute(query).fetchone()[0]
            if template is None:
                raise SystemExit(f"no template row in {table}: make a charge first")
            columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            con.execute(insert_sql(table, columns, template, rows, "sqlite"))
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TEMPLATES}
    finally:
        con.close()


async def seed_postgresql(url: str, rows: int) -> dict[str, int]:
    import asyncpg

    con = await asyncpg.connect(url)
    try:
        async with con.transaction():
            for table, query in TEMPLATES.items():
                template = await con.fetchval(query)
                if template is None:
                    raise SystemExit(f"no template row in {table}: make a charge first")
                columns = [
                    r["column_name"]
                    for r in await con.fetch(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = $1 "
                        "ORDER BY ordinal_position",
                        table,
                    )
                ]
                await con.execute(insert_sql(table, columns, template, rows, "postgresql"))
        for table in TEMPLATES:  # now, so that autovacuum does not run during the measurement
            await con.execute(f"VACUUM (ANALYZE) {table}")
        await con.execute("CHECKPOINT")
        return {t: await con.fetchval(f"SELECT count(*) FROM {t}") for t in TEMPLATES}
    finally:
        await con.close()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[2].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    url, rows = argv[1], int(argv[2])
    started = time.monotonic()
    if url.startswith("sqlite"):
        counts = seed_sqlite(url.split(":///", 1)[1], rows)
    else:
        plain = "postgresql://" + url.split("://", 1)[1]
        counts = asyncio.run(seed_postgresql(plain, rows))
    print(f"seeded {rows:,} rows per table in {time.monotonic() - started:.1f} s; now {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
