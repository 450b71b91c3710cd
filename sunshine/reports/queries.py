from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.org.models import Department
from sunshine.publishing.queries import normative_document_counts

from .models import LICENCES_PLATFORM, SECTION_TWO_COMPUTED, SECTION_TWO_FIELDS, AnnualReport
from .tables import (
    CARRIED_OUT,
    Scope,
    Table,
    check_three,
    holds_requests,
    licence_decisions,
    section_four,
    section_three,
)

COMPUTED, ENTERED = gettext_lazy("系统计算"), gettext_lazy("人工填报")


def section_two(organisation: Department, year: int) -> dict[str, int]:
    """The 规章 and 行政规范性文件 figures from the organisation's own publications, and the
    行政许可 decisions of the service hall."""
    counts = normative_document_counts(organisation, year)
    figures = {field: counts[kind][name] for field, kind, name, _label in SECTION_TWO_COMPUTED}
    figures[LICENCES_PLATFORM] = licence_decisions(Scope(organisation, year))
    return figures


def compute(organisation: Department, year: int) -> dict[str, Any]:
    scope = Scope(organisation, year)
    return {
        "two": section_two(organisation, year),
        "three": section_three(scope),
        "four": section_four(scope),
        "entered": False,
    }


def _table(stored: dict[str, list[int]]) -> Table:
    return {int(row): values for row, values in stored.items()}


def tables_of(report: AnnualReport) -> dict[str, Any]:
    """The frozen tables of a finalised report, else computed now. Section 三 is the staff's
    entry instead only while the platform holds no request of that year: once one exists the
    records win (and `failures` says the entry must be withdrawn)."""
    if report.state == AnnualReport.State.FINAL and report.tables:
        frozen = report.tables
        return {**frozen, "three": _table(frozen["three"]), "entered": frozen.get("entered", False)}
    tables = compute(report.organisation, report.year)
    if report.entered_three and not holds_requests(tables["three"]):
        tables.update(three=_table(report.entered_three), entered=True)
    return tables


def failures(report: AnnualReport, tables: dict[str, Any]) -> list[str]:
    """Why the report may not be finalised yet: the template's checks, the carry-over from last
    year's published report, and a hand entry the platform's own requests now contradict."""
    found = check_three(tables["three"], previous_carried_out(report))
    if report.entered_three and not tables["entered"]:
        found.append(
            _(
                "平台已有该年度的政府信息公开申请，第三部分按系统数据计算；"
                "请撤销人工填报的第三部分，或将纸质申请逐件登记。"
            )
        )
    return found


def section_two_rows(report: AnnualReport, tables: dict[str, Any]) -> list[tuple[Any, Any, str]]:
    """(label, figure, source) in the template's order: computed figures, then 行政许可 (the
    hall's decisions plus those entered as made outside it), then the entered ones."""
    rows: list[tuple[Any, Any, str]] = [
        (label, tables["two"][field], str(COMPUTED))
        for field, _k, _n, label in SECTION_TWO_COMPUTED
    ]
    platform = tables["two"].get(LICENCES_PLATFORM)  # absent from reports frozen before it
    for name, label in SECTION_TWO_FIELDS:
        entered = report.section_two.get(name)
        if name != "licences" or platform is None:
            rows.append((label, "—" if entered is None else entered, str(ENTERED)))
        elif entered is None:
            rows.append((label, platform, str(COMPUTED)))
        else:
            source = _("系统计算 {platform} + 人工填报 {entered}").format(
                platform=platform, entered=entered
            )
            rows.append((label, platform + entered, source))
    return rows


def previous_carried_out(report: AnnualReport) -> list[int] | None:
    """Last year's row 四 if that report was finalised: this year's row 二 must equal it."""
    previous = AnnualReport.objects.filter(
        organisation=report.organisation, year=report.year - 1, state=AnnualReport.State.FINAL
    ).first()
    if previous is None or not previous.tables:
        return None
    return previous.tables["three"][str(CARRIED_OUT)]
