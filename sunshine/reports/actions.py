"""Writing and finalising an annual report; finalising freezes the computed tables."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.audit.actions import record, snapshot
from sunshine.errors import ActionError
from sunshine.org.models import Department
from sunshine.org.permissions import require

from .models import SECTION_TWO_FIELDS, AnnualReport
from .queries import compute, previous_carried_out
from .tables import check_three

TEXT_FIELDS = ("overview", "problems", "other")


def save_report(
    actor: Any,
    organisation: Department,
    year: int,
    *,
    texts: dict[str, str],
    section_two: dict[str, Any],
) -> AnnualReport:
    require(actor, "reports.edit", organisation)
    if not 2008 <= year <= timezone.localdate().year:
        raise ActionError(_("年度不正确。"), field="year")
    known = {name for name, _label in SECTION_TWO_FIELDS}
    figures = {}
    for name, value in section_two.items():
        if name not in known or value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ActionError(_("第二部分的数字不能为负数。"), field=name)
        figures[name] = value
    with transaction.atomic():
        report, _created = AnnualReport.objects.select_for_update().get_or_create(
            organisation=organisation, year=year
        )
        if report.state == AnnualReport.State.FINAL:
            raise ActionError(_("报告已定稿发布，不能再修改。"))
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
        tables = compute(report.organisation, report.year)
        failures = check_three(tables["three"], previous_carried_out(report))
        if failures:
            raise ActionError(_("校验未通过，不能定稿：") + "".join(failures))
        report.tables = {
            "two": tables["two"],
            "three": {str(k): v for k, v in tables["three"].items()},
            "four": tables["four"],
        }
        report.state = AnnualReport.State.FINAL
        report.finalised_at, report.finalised_by = timezone.now(), actor
        report.save()
        record(actor, "reports.finalise", report, after={"state": report.state})
    return report
