"""Writing and finalising an annual report; finalising freezes the computed tables."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.audit.actions import record, snapshot
from sunshine.errors import ActionError
from sunshine.org.models import Department
from sunshine.org.permissions import require

from .models import SECTION_TWO_FIELDS, AnnualReport
from .queries import failures, tables_of
from .tables import ROWS, TOTAL, Scope, Table, check_three, holds_requests, section_three

TEXT_FIELDS = ("overview", "problems", "other")


def _check_year(year: int) -> None:
    if not 2008 <= year <= timezone.localdate().year:
        raise ActionError(_("年度不正确。"), field="year")


def _draft(organisation: Department, year: int) -> AnnualReport:
    """The year's report, locked; created as a draft on first save."""
    report, _created = AnnualReport.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    if report.state == AnnualReport.State.FINAL:
        raise ActionError(_("报告已定稿发布，不能再修改。"))
    return report


def save_report(
    actor: Any,
    organisation: Department,
    year: int,
    *,
    texts: dict[str, str],
    section_two: dict[str, Any],
) -> AnnualReport:
    require(actor, "reports.edit", organisation)
    _check_year(year)
    known = {name for name, _label in SECTION_TWO_FIELDS}
    figures = {}
    for name, value in section_two.items():
        if name not in known or value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ActionError(_("第二部分的数字不能为负数。"), field=name)
        figures[name] = value
    with transaction.atomic():
        report = _draft(organisation, year)
        before = snapshot(report, [*TEXT_FIELDS, "section_two"])
        for name in TEXT_FIELDS:
            setattr(report, name, (texts.get(name) or "").strip())
        report.section_two = figures
        report.save()
        record(
            actor,
            "reports.save",
            report,
            before=before,
            after=snapshot(report, [*TEXT_FIELDS, "section_two"]),
        )
    return report


def finalise_report(actor: Any, report: AnnualReport) -> AnnualReport:
    """Refuse, naming each failed check, unless every column balances (the template's 勾稽关系)."""
    require(actor, "reports.finalise", report.organisation)
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if report.state == AnnualReport.State.FINAL:
            raise ActionError(_("报告已定稿发布，请刷新页面。"))
        if not report.overview.strip():
            raise ActionError(_("请填写“一、总体情况”。"), field="overview")
        tables = tables_of(report)
        found = failures(report, tables)
        if found:
            raise ActionError(_("校验未通过，不能定稿：") + "".join(found))
        report.tables = {**tables, "three": {str(k): v for k, v in tables["three"].items()}}
        report.state = AnnualReport.State.FINAL
        report.finalised_at, report.finalised_by = timezone.now(), actor
        report.save()
        record(actor, "reports.finalise", report, after={"state": report.state})
    return report


def enter_section_three(
    actor: Any,
    organisation: Department,
    year: int,
    table: Table | None,
    *,
    at: datetime | None = None,
) -> AnnualReport:
    """Section 三 typed in from the published paper report of a year before the platform, or
    withdrawn (`table=None`).

    Refused once the platform holds a request of that year: the records are the account of
    the year and an entry beside them would count the same requests twice or hide some; paper
    requests of such a year are registered one by one instead (登记书面申请).
    """
    require(actor, "reports.enter", organisation)
    _check_year(year)
    if table is not None:
        rows = [row for row, _label, _group in ROWS]
        if sorted(table) != rows or any(
            len(table[row]) != TOTAL + 1
            or any(isinstance(v, bool) or not isinstance(v, int) for v in table[row])
            for row in rows
        ):
            raise ActionError(_("请完整填写第三部分的25行×7列数字。"))
        found = check_three(table)
        if found:
            raise ActionError(_("校验未通过：") + "".join(found))
    at = at or timezone.now()
    with transaction.atomic():
        report = _draft(organisation, year)
        if table is not None and holds_requests(section_three(Scope(organisation, year))):
            raise ActionError(
                _(
                    "平台已有{year}年度的政府信息公开申请，第三部分由系统计算，不能人工填报；"
                    "纸质申请请逐件登记。"
                ).format(year=year)
            )
        fields = ["entered_three", "three_entered_at", "three_entered_by"]
        before = snapshot(report, fields)
        if table is None:
            if not report.entered_three:
                raise ActionError(_("第三部分没有人工填报的数据，请刷新页面。"))
            report.entered_three, report.three_entered_at, report.three_entered_by = {}, None, None
        else:
            report.entered_three = {str(row): values for row, values in table.items()}
            report.three_entered_at, report.three_entered_by = at, actor
        report.save()
        verb = "reports.withdraw_three" if table is None else "reports.enter_three"
        record(actor, verb, report, before=before, after=snapshot(report, fields))
    return report
