"""Section 二: 规章 and 行政规范性文件 come from the publications, the rest is entered; finalising
freezes both."""

import io
from datetime import date, datetime

import openpyxl
from django.utils import timezone

from sunshine.hall.models import Application, ItemType, ServiceItem
from sunshine.publishing import actions as publishing
from sunshine.publishing.tests.test_counts import _publish_at
from sunshine.reports import actions
from sunshine.reports.models import AnnualReport
from sunshine.reports.queries import section_two


def _row(page: str, label: str) -> str:
    """The figure shown beside a label of section 二."""
    cell = page.split(f'<th scope="row">{label}</th><td>', 1)[1]
    return cell.split("</td>", 1)[0]


def _source(page: str, label: str) -> str:
    cell = page.split(f'<th scope="row">{label}</th><td>', 1)[1]
    return cell.split('<td class="source">', 1)[1].split("</td>", 1)[0]


def test_rules_and_normative_documents_come_from_publications(demo, client):
    swj = demo.departments["SLS-SWJ"]
    base = section_two(swj, 2025)
    aware = timezone.make_aware
    old = _publish_at(demo, aware(datetime(2025, 3, 1, 10)), kind="normative")
    _publish_at(demo, aware(datetime(2025, 6, 1, 10)), kind="normative")
    _publish_at(demo, aware(datetime(2025, 6, 2, 10)), kind="rule")
    _publish_at(demo, aware(datetime(2026, 1, 5, 10)), kind="normative")  # next year
    publishing.set_validity(
        demo.users["deputy"], old, validity="abolished", on=date(2025, 9, 1), reason="被替代"
    )
    figures = section_two(swj, 2025)
    assert {k: figures[k] - base[k] for k in figures} == {
        "rules_issued": 1,
        "rules_abolished": 0,
        "rules_in_force": 1,
        "normative_issued": 2,
        "normative_abolished": 1,
        "normative_in_force": 1,
        "licences_platform": 0,
    }
    client.force_login(demo.users["officer"])
    url = "/reports/SLS-SWJ/2025/"
    # A figure the platform holds cannot be overwritten by typing it in; entered ones are kept.
    form = {"overview": "总体情况", "rules_issued": "99", "licences": "12"}
    assert client.post(url, form).status_code == 302
    page = client.get(url).content.decode()
    assert _row(page, "行政规范性文件 本年制发件数") == str(figures["normative_issued"])
    assert _row(page, "规章 本年制发件数") == str(figures["rules_issued"])
    assert _row(page, "行政许可 本年处理决定数量") == "12"  # pre-hall: all entered
    assert 'name="rules_issued"' not in page and 'name="licences"' in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "report.xlsx").content))
    two = {row[0]: row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert two["规章 现行有效件数"] == figures["rules_in_force"]
    assert two["行政许可 本年处理决定数量"] == 12
    report = actions.finalise_report(
        demo.users["deputy"],
        actions.save_report(
            demo.users["officer"], swj, 2025, texts={"overview": "总体情况"}, section_two={}
        ),
    )
    assert report.tables["two"] == figures
    # A 2025 rule registered after publication does not move the published figures.
    _publish_at(demo, aware(datetime(2025, 12, 1, 10)), kind="rule")
    assert section_two(swj, 2025)["rules_issued"] == figures["rules_issued"] + 1
    client.logout()
    page = client.get(url).content.decode()
    assert _row(page, "规章 本年制发件数") == str(figures["rules_issued"])


def _decision(item: ServiceItem, user, decision: str, at: datetime) -> Application:
    return Application(
        item=item,
        applicant=user,
        applicant_name="示例市阳光商贸有限公司",
        contact_phone="13800000002",
        channel="1",
        project="新设加油站",
        state=Application.State.COMPLETED if decision else Application.State.IN_REVIEW,
        decision=decision,
        decided_at=at if decision else None,
    )


def test_licence_decisions_come_from_the_hall_and_entries_add_what_it_does_not_hold(demo, client):
    """行政许可 decisions the hall recorded in the year on items of the bureau or a department
    under it; filings (not 行政许可), other years, other bureaus and undecided cases are not
    counted. Staff enter only the decisions made outside the platform, shown as such."""
    swj, market = demo.departments["SLS-SWJ"], demo.departments["SLS-SCJG"]
    licence = ServiceItem.objects.filter(department=swj, item_type=ItemType.LICENSING).first()
    filing = ServiceItem.objects.filter(department=swj).exclude(item_type=ItemType.LICENSING)[0]
    in_section = ServiceItem.objects.get(pk=licence.pk)
    in_section.pk, in_section.department = None, demo.departments["SLS-SWJ-SCYX"]
    in_section.impl_code += "-S"
    in_section.save()
    elsewhere = ServiceItem.objects.get(pk=licence.pk)
    elsewhere.pk, elsewhere.department, elsewhere.impl_code = None, market, "MARKET-1"
    elsewhere.save()
    user = demo.users["13800000002"]
    tz = timezone.get_current_timezone()
    first, last = datetime(2025, 1, 1, 0, 0, tzinfo=tz), datetime(2025, 12, 31, 23, 59, tzinfo=tz)
    Application.objects.bulk_create(
        [
            _decision(licence, user, "granted", first),
            _decision(licence, user, "denied", last),
            _decision(in_section, user, "granted", datetime(2025, 7, 1, 10, tzinfo=tz)),
            _decision(licence, user, "granted", datetime(2024, 12, 31, 23, 59, tzinfo=tz)),
            _decision(licence, user, "granted", datetime(2026, 1, 1, 0, 0, tzinfo=tz)),
            _decision(licence, user, "", first),  # not decided
            _decision(filing, user, "granted", first),  # a filing, not 行政许可
            _decision(elsewhere, user, "granted", first),  # another bureau
        ]
    )
    assert section_two(swj, 2025)["licences_platform"] == 3
    assert section_two(market, 2025)["licences_platform"] == 1
    assert section_two(demo.departments["SLS"], 2025)["licences_platform"] == 4  # roll-up
    client.force_login(demo.users["officer"])
    url = "/reports/SLS-SWJ/2025/"
    page = client.get(url).content.decode()
    label = "行政许可 本年处理决定数量"
    assert (_row(page, label), _source(page, label)) == ("3", "系统计算")
    assert "平台外作出的处理决定数量" in page
    assert client.post(url, {"overview": "总体情况", "licences": "5"}).status_code == 302
    page = client.get(url).content.decode()
    assert (_row(page, label), _source(page, label)) == ("8", "系统计算 3 + 人工填报 5")
    assert _source(page, "行政处罚 本年处理决定数量") == "人工填报"
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "report.xlsx").content))
    two = {row[0]: row[1:] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert two[label] == (8, "系统计算 3 + 人工填报 5")
    report = actions.finalise_report(demo.users["deputy"], AnnualReport.objects.get(year=2025))
    # A decision recorded after publication does not move the published figure.
    Application.objects.bulk_create([_decision(licence, user, "granted", first)])
    assert report.tables["two"]["licences_platform"] == 3
    client.logout()
    assert _row(client.get(url).content.decode(), label) == "8"
