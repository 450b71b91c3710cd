"""Section 二: 规章 and 行政规范性文件 come from the publications, the rest is entered; finalising
freezes both."""

import io
from datetime import date, datetime

import openpyxl
from django.utils import timezone

from sunshine.publishing import actions as publishing
from sunshine.publishing.tests.test_counts import _publish_at
from sunshine.reports import actions
from sunshine.reports.queries import section_two


def _row(page: str, label: str) -> str:
    """The figure shown beside a label of section 二."""
    cell = page.split(f'<th scope="row">{label}</th><td>', 1)[1]
    return cell.split("</td>", 1)[0]


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
    }
    client.force_login(demo.users["officer"])
    url = "/reports/SLS-SWJ/2025/"
    # A figure the platform holds cannot be overwritten by typing it in; entered ones are kept.
    form = {"overview": "总体情况", "rules_issued": "99", "licences": "12"}
    assert client.post(url, form).status_code == 302
    page = client.get(url).content.decode()
    assert _row(page, "行政规范性文件 本年制发件数") == str(figures["normative_issued"])
    assert _row(page, "规章 本年制发件数") == str(figures["rules_issued"])
    assert _row(page, "行政许可 本年处理决定数量") == "12"
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
