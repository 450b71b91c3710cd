"""The staff list's default order puts requests awaiting 确认收到 first and closed ones last; the
staff page words the reply clock as the list does; typed line breaks of the reply survive."""

from django.core.files.uploadedfile import SimpleUploadedFile

from sunshine.foi import actions
from sunshine.foi.models import Request
from sunshine.foi.queries import staff_list

from .test_clock_rules import at, data
from .test_staff_list import _received
from .test_staff_page import PDF, _page

RANK = {Request.State.SUBMITTED: 0, Request.State.CLOSED: 2}


def _closed(demo, n: int) -> Request:
    request = _received(demo, "2026-03-02", f"C{n}")
    handler = demo.users["handler"]
    actions.send_correction_notice(
        handler, request, items="请说明年份。", days=1, at=at("2026-03-03")
    )
    return actions.close_for_no_correction(handler, request, at=at("2026-03-10"))


def test_requests_awaiting_receipt_come_first_and_closed_ones_last(demo, client):
    per_page = 5
    for n in range(per_page + 2):  # more than a page of closed requests
        _closed(demo, n)
    late = _received(demo, "2026-03-02", "O1")
    soon = _received(demo, "2026-03-20", "O2")
    new = actions.submit_request(
        demo.users["13800000001"], demo.departments["SLS-SWJ"], data(info_title="N1")
    ).request
    handler = demo.users["handler"]
    first = staff_list(handler, by_due=True, per_page=per_page)
    assert first.object_list[0].state == Request.State.SUBMITTED
    assert new.pk in [row.pk for row in first.object_list]
    rows = list(staff_list(handler, by_due=True, per_page=1000).object_list)
    ranks = [RANK.get(row.state, 1) for row in rows]
    assert ranks == sorted(ranks)
    open_rows = [row for row in rows if RANK.get(row.state, 1) == 1]
    dues = [row.reply_due_at for row in open_rows if row.reply_due_at]
    assert dues == sorted(dues)
    titles = [row.info_title for row in rows]
    assert titles.index("O1") < titles.index("O2") < titles.index("C0")
    assert {late.pk, soon.pk} <= {row.pk for row in open_rows}
    # The page's default sort is this one.
    client.force_login(handler)
    page = client.get("/foi/staff/").content.decode()
    assert page.index(new.number) < page.index(late.number)


def test_the_staff_page_says_overdue_as_the_list_does(demo, client):
    request = _received(demo, "2026-01-05", "T1")  # long past its 20 working days today
    [row] = [r for r in staff_list(demo.users["handler"], per_page=1000) if r.pk == request.pk]
    assert str(row.status_label) == "超期"
    page = _page(client, demo.users["handler"], f"/foi/staff/{request.pk}/")
    assert '<span class="badge">超期</span>' in page and "计时中" not in page


def test_typed_line_breaks_of_the_reply_are_kept_on_the_staff_page(demo, client):
    request = _received(demo, "2026-03-02", "T1")
    actions.submit_decision(
        demo.users["handler"],
        request,
        outcome="disclose",
        reply_text="予以公开，详见附件。\r\n如有疑问，请来电咨询。",
        files=[SimpleUploadedFile("结果.pdf", PDF, content_type="application/pdf")],
        at=at("2026-03-03"),
    )
    page = _page(client, demo.users["handler"], f"/foi/staff/{request.pk}/")
    assert "予以公开，详见附件。<br>如有疑问，请来电咨询。" in page


def test_the_applicants_page_speaks_without_supervision_signals(demo, client):
    """预警 and 黄牌 are the supervision office's words: the applicant reads 办理中 or 已超期."""
    from datetime import timedelta

    from django.utils import timezone

    from sunshine.clocks.models import Clock
    from sunshine.foi.actions import REPLY, clock_of

    request = _received(demo, "2026-01-05", "T1")
    own = f"/foi/r/{request.pk}/"
    assert '<span class="badge">已超期</span>' in _page(client, demo.users["13800000001"], own)
    # Past its yellow threshold, not yet due.
    soon = timezone.now() + timedelta(days=2)
    Clock.objects.filter(pk=clock_of(request, REPLY).pk).update(
        due_at=soon, warn_at=timezone.now() - timedelta(days=3),
        yellow_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    page = _page(client, demo.users["13800000001"], own)
    assert '<span class="badge">办理中</span>' in page
    assert "黄牌" not in page and "预警" not in page
    staff = _page(client, demo.users["handler"], f"/foi/staff/{request.pk}/")
    assert '<span class="badge">黄牌</span>' in staff
