"""The national annual-report template (国办公开办函〔2021〕30号), computed from the records.

Section 三 is one aggregate query over the requests of the organisation and every department
under it (a department's figures roll up into its government's); section 四 is one over the
recorded reviews and suits. Nothing is counted in a Python loop over requests.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.foi.models import Remedy, Request
from sunshine.foi.outcomes import OUTCOMES, ApplicantType
from sunshine.hall.models import Application, ItemType
from sunshine.org.models import Department

APPLICANT_COLUMNS = [t.value for t in ApplicantType]
COLUMN_LABELS = [*ApplicantType.labels, gettext_lazy("总计")]
TOTAL = len(APPLICANT_COLUMNS)  # index of the 总计 column
NEW, CARRIED_IN, TOTAL_ROW, CARRIED_OUT = 1, 2, 24, 25
ROW_OF = {o.code: o.row for o in OUTCOMES}

# (row, label, the label printed instead: the first row of a group with its group)
ROWS: list[tuple[int, object, object]] = [
    (NEW, gettext_lazy("一、本年新收政府信息公开申请数量"), None),
    (CARRIED_IN, gettext_lazy("二、上年结转政府信息公开申请数量"), None),
    *[(o.row, o.label, o.title if o.row in (3, 4, 5, 13, 16, 21) else None) for o in OUTCOMES],
    (TOTAL_ROW, gettext_lazy("（七）总计"), None),
    (CARRIED_OUT, gettext_lazy("四、结转下年度继续办理"), None),
]


def row_labels() -> list[tuple[int, str]]:
    """(row, label as printed, with its group before the first row of a group)."""
    return [(row, str(printed or label)) for row, label, printed in ROWS]


REMEDY_GROUPS = [Remedy.Kind.REVIEW, Remedy.Kind.SUIT, Remedy.Kind.SUIT_AFTER_REVIEW]
REMEDY_RESULTS = [
    Remedy.Result.UPHELD,
    Remedy.Result.CORRECTED,
    Remedy.Result.OTHER,
    Remedy.Result.PENDING,
]

Table = dict[int, list[int]]  # row -> 7 numbers (six applicant columns, then 总计)


@dataclass(frozen=True)
class Scope:
    organisation: Department
    year: int

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def moments(self) -> tuple[datetime, datetime]:
        """The year as local times [start, end) for timestamp fields."""
        zone = timezone.get_current_timezone()
        return datetime(self.year, 1, 1, tzinfo=zone), datetime(self.year + 1, 1, 1, tzinfo=zone)

    @cached_property
    def organisation_ids(self) -> list[int]:
        return list(self.organisation.descendants().values_list("pk", flat=True))


def section_three(scope: Scope) -> Table:
    start, end = scope.start, scope.end
    rows = (
        Request.objects.filter(
            organisation_id__in=scope.organisation_ids,
            received_on__lte=end,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .values("applicant_type", "outcome")
        .annotate(
            new=Count("pk", filter=Q(received_on__gte=start)),
            carried_in=Count("pk", filter=Q(received_on__lt=start)),
            closed=Count("pk", filter=Q(closed_on__lte=end)),
            carried_out=Count("pk", filter=Q(closed_on__isnull=True) | Q(closed_on__gt=end)),
        )
        .order_by()
    )
    table: Table = {row: [0] * (TOTAL + 1) for row, _label, _group in ROWS}
    for item in rows:
        column = APPLICANT_COLUMNS.index(item["applicant_type"])
        table[NEW][column] += item["new"]
        table[CARRIED_IN][column] += item["carried_in"]
        table[CARRIED_OUT][column] += item["carried_out"]
        if item["closed"]:
            table[ROW_OF[item["outcome"]]][column] += item["closed"]
            table[TOTAL_ROW][column] += item["closed"]
    for values in table.values():
        values[TOTAL] = sum(values[:TOTAL])
    return table


def holds_requests(table: Table) -> bool:
    """Whether the platform holds any request of the year: each one is new or carried in."""
    return table[NEW][TOTAL] + table[CARRIED_IN][TOTAL] > 0


def licence_decisions(scope: Scope) -> int:
    """行政许可 decisions (准予 or 不予许可) the service hall recorded in the year on items the
    organisation or a department under it implements (条例第二十条第五项)."""
    start, end = scope.moments
    return Application.objects.filter(
        item__item_type=ItemType.LICENSING,
        item__department_id__in=scope.organisation_ids,
        decision__in=Application.Decision.values,
        decided_at__gte=start,
        decided_at__lt=end,
    ).count()


def section_four(scope: Scope) -> list[list[int]]:
    """复议, 直接起诉, 复议后起诉: each 维持, 纠正, 其他, 尚未审结, 总计, as of the year's end."""
    end = scope.end
    decided = Q(decided_on__isnull=False, decided_on__lte=end)
    counts = {
        item["kind"]: item
        for item in Remedy.objects.filter(
            request__organisation_id__in=scope.organisation_ids,
            filed_on__gte=scope.start,
            filed_on__lte=end,
        )
        .values("kind")
        .annotate(
            upheld=Count("pk", filter=decided & Q(result=Remedy.Result.UPHELD)),
            corrected=Count("pk", filter=decided & Q(result=Remedy.Result.CORRECTED)),
            other=Count("pk", filter=decided & Q(result=Remedy.Result.OTHER)),
            pending=Count("pk", filter=~decided | Q(result=Remedy.Result.PENDING)),
        )
        .order_by()
    }
    groups = []
    for kind in REMEDY_GROUPS:
        item = counts.get(kind, {})
        values = [item.get(r, 0) for r in ("upheld", "corrected", "other", "pending")]
        groups.append([*values, sum(values)])
    return groups


def check_three(table: Table, previous_carried_out: list[int] | None = None) -> list[str]:
    """The template's checks; each failure named so staff can find it."""
    failures = []
    for column, label in enumerate(COLUMN_LABELS):
        if table[NEW][column] + table[CARRIED_IN][column] != (
            table[TOTAL_ROW][column] + table[CARRIED_OUT][column]
        ):
            failures.append(_("“{column}”列：一 + 二 ≠ 三（七）总计 + 四。").format(column=label))
        outcomes = sum(table[o.row][column] for o in OUTCOMES)
        if outcomes != table[TOTAL_ROW][column]:
            failures.append(
                _("“{column}”列：（七）总计不等于各项办理结果之和。").format(column=label)
            )
    for row, label, _group in ROWS:
        if any(v < 0 for v in table[row]):
            failures.append(_("第{row}行“{label}”：出现负数。").format(row=row, label=label))
        if table[row][TOTAL] != sum(table[row][:TOTAL]):
            failures.append(
                _("第{row}行“{label}”：总计不等于各类申请人之和。").format(row=row, label=label)
            )
    if previous_carried_out is not None and previous_carried_out != table[CARRIED_IN]:
        failures.append(_("“上年结转”与上一年度报告的“结转下年度继续办理”不一致。"))
    return failures
