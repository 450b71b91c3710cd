"""The annual report's section 三 and 四 over 1,000,000 disclosure requests.

Run from the project root: `.venv/bin/python bench/foi_report.py`. Migrates a temporary SQLite
database, creates a government with 50 bureaus, bulk-inserts 1,000,000 requests spread over
2024–2026 (received, closed with one of the 21 outcomes, or still open) and times one bureau's
report and the whole government's (the roll-up of all 50), side by side with the baseline of
fetching the same requests and counting them in Python (which must give the same table). Exits
non-zero when the government's report takes more than 2 s. FOI_BENCH_REQUESTS sets a smaller
size for a quick run.
"""

import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = int(os.environ.get("FOI_BENCH_REQUESTS", 1_000_000))
ORGANISATIONS = 50
TARGET = 2.0


def main() -> int:
    folder = tempfile.mkdtemp(prefix="sunshine-foi-bench-")
    os.environ["SUNSHINE_DATA_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Q

    from sunshine.foi.models import Request
    from sunshine.foi.outcomes import OUTCOMES, ApplicantType
    from sunshine.org.models import Department
    from sunshine.reports.queries import compute
    from sunshine.reports.tables import (
        APPLICANT_COLUMNS,
        CARRIED_IN,
        CARRIED_OUT,
        NEW,
        ROW_OF,
        ROWS,
        TOTAL,
        TOTAL_ROW,
        Scope,
    )

    def python_loop(organisation: Department, year: int) -> dict[int, list[int]]:
        """Baseline: the requests of the year fetched and counted one by one in Python."""
        scope = Scope(organisation, year)
        start, end = scope.start, scope.end
        table = {row: [0] * (TOTAL + 1) for row, _label, _group in ROWS}
        rows = (
            Request.objects.filter(organisation_id__in=scope.organisation_ids, received_on__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
            .values_list("applicant_type", "outcome", "received_on", "closed_on")
        )
        for kind, outcome, received, closed in rows.iterator(chunk_size=20_000):
            column = APPLICANT_COLUMNS.index(kind)
            table[NEW if received >= start else CARRIED_IN][column] += 1
            if closed is None or closed > end:
                table[CARRIED_OUT][column] += 1
            else:
                table[ROW_OF[outcome]][column] += 1
                table[TOTAL_ROW][column] += 1
        for values in table.values():
            values[TOTAL] = sum(values[:TOTAL])
        return table

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    city = Department.objects.create(code="BENCH", name="基准市人民政府", kind="government")
    bureaus = [
        Department.objects.create(
            code=f"BENCH-{i:02d}", name=f"第{i}局", kind="bureau", parent=city
        )
        for i in range(ORGANISATIONS)
    ]
    rng = random.Random(2026)
    kinds = [t.value for t in ApplicantType]
    weights = [70, 20, 2, 2, 3, 3]
    codes = [o.code for o in OUTCOMES]
    first = date(2024, 1, 1)
    rows = []
    for n in range(REQUESTS):
        received = first + timedelta(days=rng.randrange(3 * 365))
        closed = received + timedelta(days=rng.randrange(1, 60))
        is_open = rng.random() < 0.05 or closed > date(2026, 11, 1)
        rows.append(
            (
                f"B{n:07d}",
                "",
                bureaus[n % ORGANISATIONS].pk,
                rng.choices(kinds, weights)[0],
                "申请人",
                "resident",
                str(n),
                "",
                "",
                "",
                "信息",
                "",
                "",
                "email",
                "online",
                "",
                "online",
                "closed" if not is_open else "processing",
                f"{received.isoformat()} 09:00:00",
                received.isoformat(),
                None if is_open else closed.isoformat(),
                "" if is_open else rng.choice(codes),
                "",
                "",
                "",
                "",
                False,
                0,
                "",
                None,
                None,
                "",
                "",
                None,
                None,
            )
        )
    columns = (
        "number, query_digest, organisation_id, applicant_type, applicant_name, id_kind, "
        "id_number, phone, address, email, info_title, info_number, description, form, "
        "delivery, purpose, channel, state, submitted_at, received_on, closed_on, outcome, "
        "draft_outcome, reply_text, other_agency, legal_opinion, extended, corrections, "
        "fee_method, fee_amount, fee_paid_on, letter_docx, letter_pdf, complaint_case_id, "
        "proactive_publication_id"
    )
    marks = ", ".join(["%s"] * len(rows[0]))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO foi_request ({columns}) VALUES ({marks})", rows)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{REQUESTS:,} requests in {ORGANISATIONS} bureaus loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )

    def best_of(rounds: int, call):
        best, result = float("inf"), None
        for _round in range(rounds):
            t0 = time.perf_counter()
            result = call()
            best = min(best, time.perf_counter() - t0)
        return best, result

    timings = {}
    for label, organisation in (("one bureau", bureaus[7]), ("whole government", city)):
        best, tables = best_of(3, lambda o=organisation: compute(o, 2025))
        loop, table = best_of(1, lambda o=organisation: python_loop(o, 2025))
        three = tables["three"]
        assert table == three, f"{label}: the baseline counts differ"
        print(
            f"{label:<17} 2025: {best * 1000:7.1f} ms; baseline (Python loop) "
            f"{loop * 1000:7.1f} ms; ratio {loop / best:5.1f}× "
            f"(新收 {three[1][6]:,}, 上年结转 {three[2][6]:,}, 办结 {three[24][6]:,}, "
            f"结转下年 {three[25][6]:,})"
        )
        timings[label] = best
    ok = timings["whole government"] <= TARGET
    print(f"target: whole government ≤ {TARGET:.1f} s — {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
