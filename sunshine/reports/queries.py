from typing import Any

from sunshine.org.models import Department

from .models import AnnualReport
from .tables import CARRIED_OUT, Scope, Table, section_four, section_three


def compute(organisation: Department, year: int) -> dict[str, Any]:
    scope = Scope(organisation, year)
    return {"three": section_three(scope), "four": section_four(scope)}


def tables_of(report: AnnualReport) -> dict[str, Any]:
    """The frozen tables of a finalised report, else computed now."""
    if report.state == AnnualReport.State.FINAL and report.tables:
        three: Table = {int(k): v for k, v in report.tables["three"].items()}
        return {"three": three, "four": report.tables["four"]}
    return compute(report.organisation, report.year)


def previous_carried_out(report: AnnualReport) -> list[int] | None:
    """Last year's row 四 if that report was finalised: this year's row 二 must equal it."""
    previous = AnnualReport.objects.filter(
        organisation=report.organisation, year=report.year - 1, state=AnnualReport.State.FINAL
    ).first()
    if previous is None or not previous.tables:
        return None
    return previous.tables["three"][str(CARRIED_OUT)]
