"""Time and peak memory of writing a NACHA file (homerun.ach.nacha), by entry count.

    .venv/bin/python bench/nacha_file.py [--entries 10000 100000] [--out PATH]

For each count, in a fresh Python process: write one batch of that many entries (made
on the fly by a generator, half checking debits, a quarter savings debits, a quarter
credits) to a file, and report the wall time, records per second, the file's size, the
peak of Python allocations while writing (tracemalloc, a second run of the same file)
and the process's peak resident set (ru_maxrss). A streaming writer shows the same
peak memory for 10,000 and 100,000 entries. The file goes to a temporary directory
(deleted afterwards) unless --out names one to keep (the last count's).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from homerun.ach import nacha

ROUTING = ["011000015", "021000021", "036001808", "999999992"]


def entries(count: int) -> Iterator[nacha.Entry]:
    for n in range(count):
        kind = n % 4
        yield nacha.Entry(
            routing_number=ROUTING[n % len(ROUTING)],
            account_number=str(10_000_000 + n),
            account_type=nacha.AccountType.SAVINGS if kind == 1 else nacha.AccountType.CHECKING,
            direction=nacha.Direction.CREDIT if kind == 3 else nacha.Direction.DEBIT,
            amount=100 + (n * 7919) % 100_000,
            individual_name=f"Payer {n}",
            individual_id=f"T{n:014d}",
        )


def write(path: Path, count: int) -> int:
    header = nacha.FileHeader(
        "021000021", "036001808", "Bench Bank", "Homerun", datetime(2026, 12, 7, 9, 0)
    )
    batch = nacha.Batch(
        company_name="Bench Store",
        company_id="1234567890",
        entry_class=nacha.EntryClass.WEB,
        entry_description="Purchase",
        effective_entry_date=date(2026, 12, 8),
        originating_dfi="036001808",
        entries=entries(count),
    )
    with path.open("w", encoding="ascii", newline="\n") as out:
        return nacha.write(out, header, [batch])


def measure(count: int, path: Path) -> dict[str, float | int]:
    started = time.perf_counter()
    records = write(path, count)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    write(path, count)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "entries": count,
        "records": records,
        "seconds": round(seconds, 3),
        "records_per_second": round(records / seconds),
        "file_mb": round(path.stat().st_size / 1e6, 2),
        "traced_peak_kb": round(peak / 1024, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.entries[0], args.one)))
        return
    print("| entries | records | seconds | records/s | file MB | traced peak KiB | max RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.entries:
            path = args.out or Path(tmp) / f"nacha-{count}.txt"
            child = subprocess.run(
                [sys.executable, __file__, "--entries", str(count), "--one", str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            row = json.loads(child.stdout)
            print("| " + " | ".join(str(value) for value in row.values()) + " |")


if __name__ == "__main__":
    main()
