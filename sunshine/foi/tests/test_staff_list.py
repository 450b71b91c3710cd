"""The staff list's due-status column: the reply clock's status and due day in the list's own
query (no query per row), filtered and sorted by it, scoped to the reader's agency."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sunshine.foi import actions
from sunshine.foi.actions import REPLY, clock_of
from sunshine.foi.models import Request
from sunshine.foi.queries import PAGE_SIZE, staff_list

from .test_clock_rules import at, data


def _received(demo, day: str, title: str):
    filed = actions.submit_request(
        demo.users["13800000001"],
        demo.departments["SLS-SWJ"],
        data(info_title=title),
        at=at(day),
    )
    return actions.confirm_receipt(demo.users["window"], filed.request, at=at(day))


def _statuses(user, now, **filters) -> dict[str, str]:
    rows = staff_list(user, now=now, per_page=1000, **filters)  # the demo's requests too
    return {r.info_title: r.due_status for r in rows if r.info_title.startswith("T")}


def test_status_and_due_day_of_each_request(demo):
    handler = demo.users["handler"]
    first = _received(demo, "2026-03-02", "T1")
    second = _received(demo, "2026-03-16", "T2")
    paused = _received(demo, "2026-03-02", "T3")
    actions.send_correction_notice(
        handler, paused, items="请说明年份。", days=10, at=at("2026-03-03")
    )
    clock = clock_of(first, REPLY)
    assert clock.due_label == "2026-03-30"
    for now, expected in [
        (clock.yellow_at - timedelta(minutes=1), "running"),
        (clock.yellow_at + timedelta(minutes=1), "yellow"),  # 80% of the limit used
        (clock.warn_at + timedelta(minutes=1), "yellow"),  # the graver level wins
        (clock.due_at + timedelta(minutes=1), "overdue"),
    ]:
        assert _statuses(handler, now)["T1"] == expected, now
    now = clock.due_at + timedelta(minutes=1)
    assert _statuses(handler, now) == {"T1": "overdue", "T2": "running", "T3": "paused"}
    rows = {r.info_title: r for r in staff_list(handler, now=now)}
    assert (rows["T1"].due_label, str(rows["T1"].status_label)) == ("2026-03-30", "超期")
    assert rows["T2"].due_label == clock_of(second, REPLY).due_label
    assert str(rows["T3"].status_label) == "暂停"
    # Filtered by due status, and soonest due first (paused ones, without a due day, last).
    assert _statuses(handler, now, due="overdue") == {"T1": "overdue"}
    assert _statuses(handler, now, due="paused", state="correction") == {"T3": "paused"}
    assert _statuses(handler, now, due="bogus' OR 1=1") == _statuses(handler, now)
    ordered = [r.info_title for r in staff_list(handler, now=now, by_due=True, per_page=1000)]
    assert ordered.index("T1") < ordered.index("T2") < ordered.index("T3")
    # A request closed: the clock's outcome.
    actions.close_for_no_correction(handler, paused, at=at("2026-04-01"))
    assert _statuses(handler, now)["T3"] in ("done_on_time", "done_late")
    # Another agency's staff do not see them.
    assert _statuses(demo.users["market"], now) == {}


def test_no_query_per_row(demo, client):
    client.force_login(demo.users["handler"])
    _received(demo, "2026-03-02", "T1")
    client.get("/foi/staff/")  # warm the per-process caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/foi/staff/?sort=due").content.decode()
    for n in range(5):
        _received(demo, "2026-03-04", f"T{n + 2}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/foi/staff/?sort=due").content.decode()
    assert len(many) == len(few)
    assert page.count('data-status="overdue"') >= 6  # real today is after March 2026
    assert '<span class="badge">超期</span> 2026-03-30' in page
    page = client.get("/foi/staff/?due=running&state=processing").content.decode()
    assert "<td>T1</td>" not in page  # a bare "T1" may be in the CSRF token


def test_pages_keep_the_filter_and_the_sort(demo, client):
    """More than a page of requests: the total shows, the pager's links keep the filter and the
    sort, every page costs the same queries whatever its rows, and a page past the end is the
    last one (as in the portal's listings)."""
    client.force_login(demo.users["handler"])
    for n in range(PAGE_SIZE + 5):
        _received(demo, "2026-03-02", f"P{n:02}")
    _received(demo, "2026-03-02", "W1")  # waits for a correction: filtered out
    actions.send_correction_notice(
        demo.users["handler"],
        Request.objects.get(info_title="W1"),
        items="请说明年份。",
        days=10,
        at=at("2026-03-03"),
    )
    total = Request.objects.filter(state=Request.State.PROCESSING).count()
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE
    url = "/foi/staff/?state=processing&sort=due"
    client.get(url)  # warm the per-process caches (content types, session)
    with CaptureQueriesContext(connection) as full:
        first = client.get(url).content.decode()
    assert first.count("<tr class=") == PAGE_SIZE
    assert f"共 {total} 件申请" in first
    assert 'href="?state=processing&amp;sort=due&amp;page=2" rel="next"' in first
    with CaptureQueriesContext(connection) as rest:
        second = client.get(url + "&page=2").content.decode()
    assert len(rest) == len(full)
    assert second.count("<tr class=") == total - PAGE_SIZE
    assert f"共 {total} 件申请" in second and "第 2 / 2 页" in second
    assert "<td>W1</td>" not in first + second  # a bare "W1" may be in the CSRF token
    titles = re.findall(r"<td>(P\d\d)</td>", first + second)
    assert sorted(titles) == [f"P{n:02}" for n in range(PAGE_SIZE + 5)]  # each once
    last = client.get(url + "&page=99")
    assert last.status_code == 200 and "第 2 / 2 页" in last.content.decode()
    assert "第 1 / 2 页" in client.get(url + "&page=x").content.decode()
