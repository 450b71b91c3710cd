"""电子监察 at scale: 1,000,000 open clocks, 1 % of them past their prompt (预警) time.

Reports, on SQLite (and on PostgreSQL with --postgres, which `make bench` runs through a
throwaway cluster):
  - the status counts over all clocks, as the supervision screen asks for them (target ≤ 50 ms),
    beside the same statuses computed in a Python loop over the same rows;
  - one sweep that records the 10,000 alerts and their notifications (target ≤ 1 s);
  - one nightly run of the anomaly rules over the same tables (it must not read every clock).

Usage: python bench/supervision.py [--clocks N] [--postgres]
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

    from sunshine.clocks.models import Clock
    from sunshine.clocks.queries import Status, status_totals, with_status
    from sunshine.supervision.actions import run_anomaly_rules, sweep

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
    for i in range(count):
        # Started a day ago; 1 % are past their prompt time, none past yellow or due.
        warn = now - timedelta(minutes=5) if i % 100 == 0 else now + timedelta(days=3)
        department = departments[i % len(departments)]
        rows.append(
            (
                content_type,
                str(i),
                "bench",
                f"事项{i}",
                department,
                "",
                "workdays",
                20,
                20,
                "running",
                "",
                started_at,
                due,
                warn,
                yellow,
                False,
                now,
                now,
            )
        )
    columns = (
        "content_type_id, object_id, kind, title, department_id, legal_basis, unit,"
        ' initial_limit, "limit", state, outcome, started_at, due_at, warn_at, yellow_at,'
        " provisional, created_at, updated_at"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO clocks_clock ({columns}) VALUES ({', '.join(['%s'] * 18)})",  # noqa: S608
            rows,
        )
    del rows
    # What a deployment's nightly maintenance does (PRAGMA optimize / autovacuum's ANALYZE):
    # without statistics SQLite cannot tell that few clocks are near a threshold.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"[{label}] {count:,} clocks loaded in {time.perf_counter() - started:.1f} s")

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        totals = status_totals(now=now)
        timings.append(time.perf_counter() - started)
    ours = min(timings)
    assert totals[Status.WARNING] == crossing, totals

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
        f"[{label}] status counts over all clocks (indexed): {ours * 1000:.1f} ms "
        f"(target ≤ 50 ms) {'OK' if ours <= 0.05 else 'MISSED'}"
    )
    print(
        f"[{label}] same counts by CASE over every row: {case_when * 1000:.0f} ms; "
        f"in a Python loop: {python_loop * 1000:.0f} ms; ratio loop/ours: "
        f"{python_loop / ours:,.0f}x"
    )
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
