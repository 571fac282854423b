"""Latency of the dashboard's payments list and a payment's page against a running Homerun,
and the memory of a CSV export of every payment (see README.md).

Sets the password of an invited owner through their one-time link, signs in like a browser,
then times each page one request at a time over keep-alive and prints p50/p95/p99 per page
as a Markdown table and one JSON line. The export is read to its end while the server's
processes are sampled for their resident memory.

    python bench/dashboard/latency.py --base-url http://127.0.0.1:8312 --invitation URL \
        --deep-cursor 1700000000000000-123 --payments 1,2,3 --server-pid 4242
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "bench-password-1234"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    if found is None:
        raise SystemExit("no form on the page")
    return found.group(1)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def signed_in(base_url: str, invitation: str) -> httpx.Client:
    http = httpx.Client(base_url=base_url, timeout=120)
    path = invitation[invitation.index("/dashboard/") :]
    page = http.get(path)
    page.raise_for_status()
    done = http.post(
        path, data={"csrf": _csrf(page.text), "password": PASSWORD, "confirm": PASSWORD}
    )
    if done.status_code != 303:
        raise SystemExit(f"setting the password: {done.status_code} {done.text[:300]}")
    form = http.get("/dashboard/sign-in")
    email = re.search(r"([\w.+-]+@[\w.-]+)", page.text)
    if email is None:
        raise SystemExit("no email on the invitation page")
    answer = http.post(
        "/dashboard/sign-in",
        data={"csrf": _csrf(form.text), "email": email.group(1), "password": PASSWORD},
    )
    if answer.status_code != 303:
        raise SystemExit(f"signing in: {answer.status_code}")
    return http


def timed(http: httpx.Client, paths: list[str], runs: int) -> list[float]:
    out = []
    for n in range(runs):
        path = paths[n % len(paths)]
        start = time.perf_counter()
        answer = http.get(path)
        out.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code}")
    return out


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used: what a page costs it, whatever
    the rest of a shared machine is doing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the serving workers), in kB."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if proc.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0] or 0)
    return total


def export(http: httpx.Client, server_pid: int) -> dict[str, Any]:
    before = _tree_rss_kb(server_pid)
    peak = [before]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak.append(_tree_rss_kb(server_pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    rows = size = 0
    try:
        with http.stream("GET", "/dashboard/payments.csv") as answer:
            answer.raise_for_status()
            for chunk in answer.iter_bytes():
                rows += chunk.count(b"\n")  # a chunk may end between \r and \n
                size += len(chunk)
    finally:
        running.clear()
        sampler.join()
    return {
        "rows": rows - 1,
        "bytes": size,
        "seconds": round(time.perf_counter() - start, 1),
        "server_rss_before_mb": round(before / 1024, 1),
        "server_rss_peak_mb": round(max(peak) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--invitation", required=True)
    parser.add_argument("--deep-cursor", required=True)
    parser.add_argument("--payments", required=True, help="trans_ids, comma-separated")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--label", default="")
    parser.add_argument("--no-export", action="store_true", help="time the pages only")
    args = parser.parse_args()
    http = signed_in(args.base_url, args.invitation)
    pages = {
        "list, first page": ["/dashboard/payments"],
        "list, filtered (status refunded)": ["/dashboard/payments?status=refunded"],
        "list, filtered (card last four 4444)": ["/dashboard/payments?last_four=4444"],
        "list, filtered (amount 25.00)": ["/dashboard/payments?amount=25.00"],
        "list, a deep keyset page (~900,000 rows in)": [
            f"/dashboard/payments?before={args.deep_cursor}"
        ],
        "a payment's page (with its timeline)": [
            f"/dashboard/payments/{t}" for t in args.payments.split(",")
        ],
    }
    for paths in pages.values():  # every statement prepared, every template compiled
        timed(http, paths, 5)
    results: dict[str, dict[str, float]] = {}
    print(f"| page ({args.label}) | runs | p50 ms | p95 ms | p99 ms | server CPU ms a page |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, paths in pages.items():
        cpu = _cpu_seconds(args.server_pid)
        ms = timed(http, paths, args.runs)
        cpu = _cpu_seconds(args.server_pid) - cpu
        row = {
            "p50": round(statistics.median(ms), 1),
            "p95": round(_percentile(ms, 0.95), 1),
            "p99": round(_percentile(ms, 0.99), 1),
            "cpu_ms": round(cpu * 1000 / len(ms), 1),
        }
        results[name] = row
        print(
            f"| {name} | {len(ms)} | {row['p50']} | {row['p95']} | {row['p99']} | {row['cpu_ms']} |"
        )
    exported = {} if args.no_export else export(http, args.server_pid)
    print(f"CSV export: {json.dumps(exported)}")
    print(json.dumps({"label": args.label, "pages": results, "export": exported}))


if __name__ == "__main__":
    main()
