from typing import Any

from sunshine.org.models import Department
from sunshine.publishing.queries import normative_document_counts

from .models import SECTION_TWO_COMPUTED, SECTION_TWO_FIELDS, AnnualReport
from .tables import CARRIED_OUT, Scope, Table, section_four, section_three


def section_two(organisation: Department, year: int) -> dict[str, int]:
    """The 规章 and 行政规范性文件 figures from the organisation's own publications."""
    counts = normative_document_counts(organisation, year)
    return {field: counts[kind][name] for field, kind, name, _label in SECTION_TWO_COMPUTED}


def compute(organisation: Department, year: int) -> dict[str, Any]:
    scope = Scope(organisation, year)
    return {
        "two": section_two(organisation, year),
        "three": section_three(scope),
        "four": section_four(scope),
    }


def tables_of(report: AnnualReport) -> dict[str, Any]:
    """The frozen tables of a finalised report, else computed now."""
    if report.state == AnnualReport.State.FINAL and report.tables:
        three: Table = {int(k): v for k, v in report.tables["three"].items()}
        return {"two": report.tables["two"], "three": three, "four": report.tables["four"]}
    return compute(report.organisation, report.year)


def section_two_rows(report: AnnualReport, tables: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(label, figure) in the template's order: computed figures first, then entered ones."""
    computed = [(label, tables["two"][field]) for field, _k, _n, label in SECTION_TWO_COMPUTED]
    entered = [(label, report.section_two.get(name, "—")) for name, label in SECTION_TWO_FIELDS]
    return computed + entered


def previous_carried_out(report: AnnualReport) -> list[int] | None:
    """Last year's row 四 if that report was finalised: this year's row 二 must equal it."""
    previous = AnnualReport.objects.filter(
        organisation=report.organisation, year=report.year - 1, state=AnnualReport.State.FINAL
    ).first()
    if previous is None or not previous.tables:
        return None
    return previous.tables["three"][str(CARRIED_OUT)]
