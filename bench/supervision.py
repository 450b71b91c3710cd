"""电子监察 at scale: 1,000,000 open clocks, 1 % of them past their prompt (预警) time.

Reports, on SQLite (and on PostgreSQL with --postgres, which `make bench` runs through a
throwaway cluster):
  - the status totals over all clocks (target ≤ 50 ms): running and paused from the tally the
    database keeps (supervision.ClockTally), the rest range counts on the partial indexes;
    beside the same counts over the index of every running clock (clocks.status_totals), by
    CASE over every row, and in a Python loop over the same rows; and the supervision screen's
    per-department table;
  - one sweep that records the 10,000 alerts and their notifications (target ≤ 1 s);
  - one nightly run of the anomaly rules over the same tables (it must not read every clock).

Usage: python bench/supervision.py [--clocks N] [--postgres] [--sqlite-only]
The machine is shared: read the ratios printed side by side, not the absolute figures alone.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        return run(args.clocks, "PostgreSQL")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SUNSHINE_DATA_DIR"] = folder
        os.environ.pop("DATABASE_URL", None)
        failed = run(args.clocks, "SQLite")
    if args.sqlite_only:
        return failed
    command = [
        "bash",
        str(ROOT / "scripts/with-throwaway-postgres"),
        sys.executable,
        __file__,
        "--postgres",
        "--clocks",
        str(args.clocks),
    ]
    return failed or subprocess.call(command)  # noqa: S603 -- our own script


def run(count: int, label: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from sunshine.clocks import queries as clock_queries
    from sunshine.clocks.models import Clock
    from sunshine.clocks.queries import Status, with_status
    from sunshine.supervision.actions import fold_tally, run_anomaly_rules, sweep
    from sunshine.supervision.queries import status_counts, status_totals

    call_command("migrate", verbosity=0)
    departments = make_departments(50)
    content_type = 1
    now = timezone.now()
    crossing = count // 100

    started = time.perf_counter()
    rows = []
    started_at, due, yellow = (
        now - timedelta(days=1),
        now + timedelta(days=10),
        now + timedelta(days=5),
    )
    fixed = {
        "content_type_id": content_type,
        "kind": "bench",
        "unit": "workdays",
        "initial_limit": 20,
        "limit": 20,
        "state": "running",
        "started_at": started_at,
        "due_at": due,
        "yellow_at": yellow,
        "provisional": False,
        "created_at": now,
        "updated_at": now,
    }
    # Every other column (blank texts, empty times) as the model leaves it.
    fields = [f for f in Clock._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if f.attname not in fixed and f.attname not in ("object_id", "title", "department_id"):
            fixed.setdefault(f.attname, None if f.null else f.get_default())
    for i in range(count):
        # Started a day ago; 1 % are past their prompt time, none past yellow or due.
        values = {
            **fixed,
            "object_id": str(i),
            "title": f"事项{i}",
            "department_id": departments[i % len(departments)],
            "warn_at": now - timedelta(minutes=5) if i % 100 == 0 else now + timedelta(days=3),
        }
        rows.append([values[f.attname] for f in fields])
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO clocks_clock ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",  # noqa: S608
            rows,
        )
    del rows
    print(f"[{label}] {count:,} clocks loaded in {time.perf_counter() - started:.1f} s")
    # What a deployment's background work does: the sweep folds the tally every minute, and
    # nightly maintenance (PRAGMA optimize / autovacuum) keeps statistics and the visibility map;
    # without statistics SQLite cannot tell that few clocks are near a threshold.
    started = time.perf_counter()
    fold_tally()
    print(
        f"[{label}] tally of {count:,} new clocks folded in {time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def best(run, times=5):
        timings = []
        for _ in range(times):
            started = time.perf_counter()
            value = run()
            timings.append(time.perf_counter() - started)
        return min(timings), value

    ours, totals = best(lambda: status_totals(now=now))
    assert totals[Status.WARNING] == crossing and totals[Status.RUNNING] == count - crossing
    indexed, old = best(lambda: clock_queries.status_totals(now=now))
    assert old[Status.WARNING] == crossing
    screen, table = best(lambda: status_counts(None, now))
    assert sum(row["cells"][2] for row in table) == crossing

    started = time.perf_counter()
    loop: dict[str, int] = {}
    for state, due, warn, yellow in Clock.objects.values_list(
        "state", "due_at", "warn_at", "yellow_at"
    ).iterator(chunk_size=20_000):
        if state == "paused":
            status = Status.PAUSED
        elif due <= now:
            status = Status.OVERDUE
        elif yellow <= now:
            status = Status.YELLOW
        elif warn <= now:
            status = Status.WARNING
        else:
            status = Status.RUNNING
        loop[status] = loop.get(status, 0) + 1
    python_loop = time.perf_counter() - started
    assert loop[Status.WARNING] == crossing

    started = time.perf_counter()
    annotated = dict(
        with_status(Clock.objects.all(), now)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    case_when = time.perf_counter() - started
    assert annotated[Status.WARNING] == crossing

    started = time.perf_counter()
    result = sweep(now)
    swept = time.perf_counter() - started
    assert result.created["prompt"] == crossing, result.created
    again = sweep(now)
    assert again.total == 0

    started = time.perf_counter()
    found = run_anomaly_rules(now)
    anomalies = time.perf_counter() - started

    print(
        f"[{label}] status totals over all clocks (tally + partial indexes): {ours * 1000:.1f} ms "
        f"(target ≤ 50 ms) {'OK' if ours <= 0.05 else 'MISSED'}"
    )
    print(
        f"[{label}] same counts over the index of every running clock: {indexed * 1000:.1f} ms "
        f"({indexed / ours:,.0f}x ours); by CASE over every row: {case_when * 1000:.0f} ms; "
        f"in a Python loop: {python_loop * 1000:.0f} ms; ratio loop/ours: "
        f"{python_loop / ours:,.0f}x"
    )
    print(f"[{label}] the screen's table by department: {screen * 1000:.1f} ms")
    print(
        f"[{label}] sweep: {result.created['prompt']:,} alerts and {result.notifications:,} "
        f"notifications recorded in {swept * 1000:.0f} ms (target ≤ 1 s) "
        f"{'OK' if swept <= 1 else 'MISSED'}; a second sweep recorded {again.total}"
    )
    print(
        f"[{label}] anomaly rules (a week of records): {anomalies * 1000:.0f} ms, "
        f"{sum(found.values())} findings"
    )
    return 0 if ours <= 0.05 and swept <= 1 else 1


def make_departments(count: int) -> list[int]:
    """A government with `count` bureaus, one handling officer in each (the alerts' recipients)."""
    from django.contrib.auth import get_user_model

    from sunshine.org.models import Department, Membership, Role

    root = Department.objects.create(code="B", name="基准市人民政府", kind="government")
    ids = []
    for i in range(count):
        bureau = Department.objects.create(
            code=f"B-{i}", name=f"第{i}局", kind="bureau", parent=root
        )
        officer = get_user_model().objects.create_user(username=f"officer{i}")
        Membership.objects.create(user=officer, department=bureau, role=Role.HANDLER)
        ids.append(bureau.pk)
    return ids


if __name__ == "__main__":
    sys.exit(main())
