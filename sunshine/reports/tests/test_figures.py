"""Figures offered for insertion into sections 一, 五 and 六: each from the records, and the
server-side insert used without JavaScript."""

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.utils import timezone

from sunshine.clocks.models import Clock
from sunshine.foi.models import Remedy, Request
from sunshine.foi.outcomes import OUTCOMES
from sunshine.publishing.models import Publication
from sunshine.publishing.tests.test_counts import _publish_at
from sunshine.reports import actions
from sunshine.reports.figures import offered
from sunshine.reports.models import AnnualReport
from sunshine.reports.queries import tables_of

URL = "/reports/T-BUREAU/2025/"


def by_key(figures: dict) -> dict:
    return {f"{section}:{f.key}": f for section, items in figures.items() for f in items}


def _figures(organisation, year: int = 2025) -> dict:
    report = AnnualReport(organisation=organisation, year=year)
    return by_key(offered(report, tables_of(report)))


def _clock(request: Request, on_time: bool) -> Clock:
    at = timezone.make_aware(datetime(2025, 5, 1, 9))
    return Clock(
        content_type=ContentType.objects.get_for_model(Request),
        object_id=str(request.pk),
        kind="foi.reply",
        title="答复",
        department=request.organisation,
        unit="workdays",
        initial_limit=20,
        limit=20,
        state="stopped",
        started_at=at,
        stopped_at=at,
        on_time=on_time,
    )


def test_request_figures_agree_with_section_three(year_of_requests):
    """The fixture's year: per column c, Σ (c + row) % 4 closed in the year, c + 1 carried in
    and closed, c + 2 carried out, one more received in the year; one 重复申请 in a section."""
    figures = _figures(year_of_requests.departments["T"])
    closed = sum(sum((c + o.row) % 4 for o in OUTCOMES) + c + 1 for c in range(6)) + 1
    new = sum(sum((c + o.row) % 4 for o in OUTCOMES) + (c + 1) + 1 for c in range(6)) + 1
    assert figures["overview:requests"].sentence == (
        f"本年新收政府信息公开申请{new}件，上年结转21件，办结{closed}件，结转下年度继续办理27件。"
    )
    unprocessed = sum((c + row) % 4 for c in range(6) for row in range(16, 21)) + 1
    disclosed = sum((c + 3) % 4 + c + 1 for c in range(6))
    sentence = figures["overview:outcomes"].sentence
    assert sentence.startswith(f"在办结的申请中，予以公开{disclosed}件，部分公开")
    assert f"不予处理{unprocessed}件" in sentence
    # Sections: the figures offered for each text section, and nothing for section 二-四.
    assert {key.split(":")[0] for key in figures} == {"overview", "problems", "other"}


def test_late_replies_fees_and_remedies(year_of_requests):
    bureau = year_of_requests.departments["T"]
    closed = list(Request.objects.filter(organisation=bureau, closed_on__year=2025)[:3])
    earlier = Request.objects.filter(organisation=bureau, closed_on__year=2024).first()
    Clock.objects.bulk_create(
        [_clock(closed[0], False), _clock(closed[1], True), _clock(earlier, False)]
    )
    figures = _figures(bureau)
    assert figures["problems:late"].sentence == "本年办结的申请中，有1件超过法定期限答复。"
    assert figures["other:fees"].sentence == "本年度未收取政府信息公开信息处理费。"
    for request, paid_on, amount in [
        (closed[0], date(2025, 3, 1), 100),
        (closed[1], date(2025, 12, 31), 40),
        (closed[2], date(2024, 12, 31), 300),
    ]:
        Request.objects.filter(pk=request.pk).update(fee_paid_on=paid_on, fee_amount=amount)
    for kind, result in [("review", "corrected"), ("review", "upheld"), ("suit", "corrected")]:
        Remedy.objects.create(
            request=closed[0],
            kind=kind,
            filed_on=date(2025, 7, 1),
            result=result,
            decided_on=date(2025, 8, 1),
        )
    Remedy.objects.create(request=closed[0], kind="suit_after_review", filed_on=date(2025, 7, 2))
    figures = _figures(bureau)
    assert figures["other:fees"].sentence == (
        "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费2件，共计140元。"
    )
    assert figures["overview:remedies"].sentence == (
        "本年因政府信息公开被申请行政复议2件，被提起行政诉讼2件。"
    )
    assert figures["problems:corrected"].sentence == (
        "本年政府信息公开行政复议、行政诉讼结果被纠正2件。"
    )
    # The government above the bureau counts its figures too.
    government = _figures(year_of_requests.departments["SLS"])
    assert "有1件超过法定期限" in government["problems:late"].sentence


def test_publications_by_kind_and_visits(demo):
    swj = demo.departments["SLS-SWJ"]
    before = _figures(swj, 2024)["overview:publications"]
    aware = timezone.make_aware
    _publish_at(demo, aware(datetime(2024, 3, 1, 10)), kind="normative")
    _publish_at(demo, aware(datetime(2024, 12, 31, 23, 30)), kind="rule")
    _publish_at(demo, aware(datetime(2025, 1, 1, 0, 30)), kind="rule")  # next year
    after = _figures(swj, 2024)
    total = int(before.value.removesuffix("件")) + 2
    assert after["overview:publications"].value == f"{total}件"
    assert "规章1件" in after["overview:publications"].sentence
    visits = Publication.objects.filter(organisation__path__startswith=swj.path).aggregate(
        n=Sum("view_count")
    )["n"]
    assert f"累计访问{visits}次" in after["overview:visits"].sentence


def test_insert_without_javascript(year_of_requests, client):
    """The button posts the text as typed and the figure's key; the server appends the
    figure's sentence from its own queries. A forged or unknown key inserts nothing."""
    client.force_login(year_of_requests.users["admin"])
    page = client.get(URL).content.decode()
    assert 'name="insert" value="overview:requests"' in page
    assert 'src="/static/reports/figures.js"' in page
    response = client.post(
        URL, {"overview": "一年来，我局依法办理申请。", "insert": "overview:requests"}
    )
    assert response.status_code == 302 and response.url.endswith("#id_overview")
    report = AnnualReport.objects.get(year=2025, organisation=year_of_requests.departments["T"])
    expected = _figures(report.organisation)["overview:requests"].sentence
    assert report.overview == f"一年来，我局依法办理申请。\n{expected}"
    client.post(URL, {"overview": report.overview, "other": "", "insert": "other:fees"})
    report.refresh_from_db()
    assert report.other == "本年度未收取政府信息公开信息处理费。"
    for forged in ("overview:申请100件", "problems:fees", "other", "../../etc", ""):
        client.post(URL, {"overview": "正文", "insert": forged})
        report.refresh_from_db()
        assert (report.overview, report.problems, report.other) == ("正文", "", "")


def test_figures_are_offered_only_while_editing(year_of_requests, client):
    users, bureau = year_of_requests.users, year_of_requests.departments["SLS-SWJ"]
    report = actions.save_report(
        users["officer"], bureau, 2025, texts={"overview": "总体情况"}, section_two={}
    )
    actions.finalise_report(users["deputy"], report)
    client.force_login(users["officer"])
    page = client.get("/reports/SLS-SWJ/2025/").content.decode()
    assert "data-insert" not in page and "figures.js" not in page
