"""绩效评估: indicators computed from the records by aggregate queries, and the scoring of a
department under a scheme. Nothing here is typed in, except the 专家评审 and 公众评议 scores.

Clocks and alerts belong to sections; a department is scored as a unit (局/办, 乡镇/街道) with
everything under it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.appeals.models import Appeal, Assignment
from sunshine.appeals.models import FollowUp as AppealFollowUp
from sunshine.clocks.engine import tz
from sunshine.clocks.models import Clock, State
from sunshine.errors import ActionError
from sunshine.hall.models import Rating, Satisfaction
from sunshine.org.models import Department

from .models import Alert, Bulletin, Level, ManualScore, Scheme

UNIT_KINDS = (Department.Kind.BUREAU, Department.Kind.TOWNSHIP)
# A pair (numerator, denominator) per department id; a count has no denominator.
Figures = dict[int, tuple[int, int | None]]


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=tz())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz())


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The month, quarter or year that contains `day`, as first and last days."""
    if kind == Bulletin.Period.MONTH:
        first = day.replace(day=1)
    elif kind == Bulletin.Period.QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == Bulletin.Period.YEAR:
        first = date(day.year, 1, 1)
    else:
        raise ActionError(_("未知的统计周期。"), field="period")
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    year, month = divmod(first.month - 1 + months, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    is_rate: bool
    compute: Callable[[Period], Figures]


INDICATORS: dict[str, Indicator] = {}


def indicator(code: str, label: Any, *, is_rate: bool = True):
    """Register an indicator; subsystems add theirs (签收, 回退, 满意率 …) the same way."""

    def register(func: Callable[[Period], Figures]) -> Callable[[Period], Figures]:
        INDICATORS[code] = Indicator(code, label, is_rate, func)
        return func

    return register


def _grouped(qs, **counts) -> dict[int, dict[str, int]]:
    return {
        row.pop("department_id"): row
        for row in qs.values("department_id").annotate(**counts).order_by()
    }


def _finished(period: Period):
    return Clock.objects.filter(
        state=State.STOPPED,
        stopped_at__gte=period.since,
        stopped_at__lt=period.until,
        due_at__isnull=False,
    )


@indicator("on_time_rate", gettext_lazy("按时办结率"))
def on_time_rate(period: Period) -> Figures:
    rows = _grouped(_finished(period), n=Count("pk"), ok=Count("pk", filter=Q(on_time=True)))
    return {dept: (row["ok"], row["n"]) for dept, row in rows.items()}


@indicator("early_rate", gettext_lazy("提前办结率"))
def early_rate(period: Period) -> Figures:
    """Finished before the due day began."""
    early = Q(stopped_at__lt=F("due_at") - timedelta(days=1))
    rows = _grouped(_finished(period), n=Count("pk"), early=Count("pk", filter=early))
    return {dept: (row["early"], row["n"]) for dept, row in rows.items()}


@indicator("overdue_count", gettext_lazy("超期件数"), is_rate=False)
def overdue_count(period: Period) -> Figures:
    late = _grouped(_finished(period).filter(on_time=False), n=Count("pk"))
    still = _grouped(
        Clock.objects.filter(state=State.RUNNING, due_at__lt=period.until), n=Count("pk")
    )
    return {
        dept: (late.get(dept, {}).get("n", 0) + still.get(dept, {}).get("n", 0), None)
        for dept in set(late) | set(still)
    }


def _alerts(level: str) -> Callable[[Period], Figures]:
    def compute(period: Period) -> Figures:
        rows = _grouped(
            Alert.objects.filter(
                level=level, raised_at__gte=period.since, raised_at__lt=period.until
            ),
            n=Count("pk"),
        )
        return {dept: (row["n"], None) for dept, row in rows.items()}

    return compute


for _level in Level:
    indicator(
        f"{_level.value}_count",
        gettext_lazy("%(level)s数") % {"level": _level.label},
        is_rate=False,
    )(_alerts(_level.value))


def _manual(code: str) -> Callable[[Period], Figures]:
    def compute(period: Period) -> Figures:
        rows = ManualScore.objects.filter(
            indicator=code, period_start=period.start, period_end=period.end
        ).values_list("department_id", "value")
        # Entered per unit on a 100-point scale; carried as a rate in hundredths.
        return {dept: (int(value * 100), 10000) for dept, value in rows}

    return compute


MANUAL_INDICATORS = {"expert": gettext_lazy("专家评审"), "public": gettext_lazy("公众评议")}
for _code, _label in MANUAL_INDICATORS.items():
    indicator(_code, _label)(_manual(_code))


# --- indicators the subsystems' records give ----------------------------------------------------


def _clock_rate(kind: str) -> Callable[[Period], Figures]:
    """On-time rate of one kind of clock finished in the period."""

    def compute(period: Period) -> Figures:
        rows = _grouped(
            _finished(period).filter(kind=kind),
            n=Count("pk"),
            ok=Count("pk", filter=Q(on_time=True)),
        )
        return {dept: (row["ok"], row["n"]) for dept, row in rows.items()}

    return compute


indicator("sign_rate", gettext_lazy("及时签收率（响应率）"))(_clock_rate("appeals.sign"))
indicator("foi_reply_rate", gettext_lazy("依申请公开按时答复率"))(_clock_rate("foi.reply"))
indicator("publication_rate", gettext_lazy("主动公开及时率（第二十六条）"))(
    _clock_rate("publishing.art26")
)


def _pairs(qs, department: str, numerator: Any, denominator: Any = None) -> Figures:
    rows = qs.values(department).annotate(num=numerator, den=denominator or Count("pk")).order_by()
    return {row[department]: (row["num"] or 0, row["den"]) for row in rows if row[department]}


@indicator("return_rate", gettext_lazy("回退率"))
def return_rate(period: Period) -> Figures:
    """Returns (退单) per ticket dispatched to the department in the period; lower is better."""
    dispatched = Assignment.objects.filter(
        dispatched_at__gte=period.since, dispatched_at__lt=period.until
    )
    return _pairs(dispatched, "department_id", Sum("returns"))


@indicator("rework_rate", gettext_lazy("重办率"))
def rework_rate(period: Period) -> Figures:
    """Tickets closed in the period that had to be done again; lower is better."""
    closed = Appeal.objects.filter(closed_at__gte=period.since, closed_at__lt=period.until)
    return _pairs(closed, "lead_department_id", Count("pk", filter=Q(rework_count__gt=0)))


@indicator("resolution_rate", gettext_lazy("解决率"))
def resolution_rate(period: Period) -> Figures:
    """Follow-ups (回访) in the period in which the caller says the problem is solved."""
    followed = AppealFollowUp.objects.filter(at__gte=period.since, at__lt=period.until)
    return _pairs(followed, "appeal__lead_department_id", Count("pk", filter=Q(resolved=True)))


@indicator("satisfaction_rate", gettext_lazy("满意率（好差评与回访）"))
def satisfaction_rate(period: Period) -> Figures:
    """满意 and 基本满意 among the hall's 好差评 and the 12345 回访 of the period."""
    ratings = _pairs(
        Rating.objects.filter(created_at__gte=period.since, created_at__lt=period.until),
        "application__item__department_id",
        Count("pk", filter=Q(score__lte=Satisfaction.FAIR)),
    )
    followups = _pairs(
        AppealFollowUp.objects.filter(at__gte=period.since, at__lt=period.until),
        "appeal__lead_department_id",
        Count("pk", filter=Q(satisfaction__in=("satisfied", "basic"))),
    )
    return {
        dept: (
            ratings.get(dept, (0, 0))[0] + followups.get(dept, (0, 0))[0],
            (ratings.get(dept, (0, 0))[1] or 0) + (followups.get(dept, (0, 0))[1] or 0),
        )
        for dept in set(ratings) | set(followups)
    }


# --- scoring ------------------------------------------------------------------------------------

TWO = Decimal("0.01")


def units() -> dict[int, Department]:
    """Every department mapped to the unit it is scored under (itself, or the 局/乡镇 above)."""
    departments = list(Department.objects.filter(is_active=True))
    by_id = {d.pk: d for d in departments}
    result = {}
    for d in departments:
        chain = [by_id.get(int(p)) for p in d.path.strip("/").split("/") if p]
        unit = next((a for a in chain if a is not None and a.kind in UNIT_KINDS), None)
        if unit is not None:
            result[d.pk] = unit
    return result


# A unit with nothing to score and nothing deducted or added in the period: shown without a
# score, not ranked and on neither list, rather than as a perfect 100.
NOT_RATED = gettext_lazy("不参评")


def grade(total: Decimal) -> str:
    if total >= 90:
        return _("优秀")
    if total >= 80:
        return _("良好")
    if total >= 60:
        return _("合格")
    return _("不合格")


@dataclass
class UnitScore:
    unit: Department
    lines: list[str] = field(default_factory=list)
    base: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    total: Decimal | None = None  # None: not assessed this period
    grade: str = ""
    rank: int | None = None
    rated: bool = False  # some weighted indicator had data this period
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def assessed(self) -> bool:
        return self.rated or bool(self.deduction) or bool(self.bonus)

    @property
    def red_cards(self) -> int:
        return int(self.figures.get("red", 0))

    def as_dict(self) -> dict[str, Any]:
        assessed = self.assessed
        return {
            "unit": self.unit.name,
            "unit_id": self.unit.pk,
            "rank": self.rank,
            "base": str(self.base) if assessed else None,
            "deduction": str(self.deduction) if assessed else None,
            "bonus": str(self.bonus) if assessed else None,
            "total": str(self.total) if assessed else None,
            "grade": self.grade,
            "assessed": self.assessed,
            "lines": self.lines,
            "figures": self.figures,
        }


def _rolled_up(figures: Figures, unit_of: dict[int, Department]) -> dict[int, list[int]]:
    totals: dict[int, list[int]] = {}
    for dept, (num, den) in figures.items():
        unit = unit_of.get(dept)
        if unit is None:
            continue
        entry = totals.setdefault(unit.pk, [0, 0])
        entry[0] += num
        entry[1] += den or 0
    return totals


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def score(scheme: Scheme, period: Period) -> list[UnitScore]:
    """Every unit's score, ranked. Items without data (no finished cases, no score entered)
    are left out and the other weights scaled up, so a unit is not punished for a quiet month."""
    unit_of = units()
    scores = {u.pk: UnitScore(unit=u) for u in set(unit_of.values())}
    items = list(scheme.items.all())
    needed = {item.indicator for item in items} | {"yellow_count", "red_count", "early_rate"}
    data = {
        code: _rolled_up(INDICATORS[code].compute(period), unit_of)
        for code in needed
        if code in INDICATORS
    }
    total_weight = sum((item.weight for item in items), Decimal(0))  # 100 in a sound scheme
    for unit_score in scores.values():
        pk = unit_score.unit.pk
        earned, used_weight = Decimal(0), Decimal(0)
        for item in items:
            label = (
                INDICATORS[item.indicator].label if item.indicator in INDICATORS else item.indicator
            )
            num, den = data.get(item.indicator, {}).get(pk, (0, 0))
            if not den:
                unit_score.lines.append(
                    _("%(label)s：本期无数据，不计分（权重分摊至其他指标）。") % {"label": label}
                )
                continue
            rate = Decimal(num) / Decimal(den)
            span = item.full_at - item.threshold
            share = (
                min(Decimal(1), max(Decimal(0), (rate - item.threshold) / span))
                if span > 0
                else Decimal(rate >= item.threshold)
            )
            points = (item.weight * share).quantize(TWO, ROUND_HALF_UP)
            earned += points
            used_weight += item.weight
            unit_score.figures[item.indicator] = f"{num}/{den}"
            unit_score.lines.append(
                _(
                    "%(label)s：%(num)s/%(den)s = %(rate)s（零分线 %(low)s，满分线 %(high)s），"
                    "得 %(points)s 分（满分 %(weight)s）。"
                )
                % {
                    "label": label,
                    "num": num,
                    "den": den,
                    "rate": _percent(rate),
                    "low": _percent(item.threshold),
                    "high": _percent(item.full_at),
                    "points": points,
                    "weight": item.weight,
                }
            )
        # Out of 100, over the items that had data.
        base = earned * 100 / used_weight if used_weight else Decimal(100)
        unit_score.base = base.quantize(TWO, ROUND_HALF_UP)
        unit_score.rated = bool(used_weight)
        if used_weight and used_weight != total_weight:
            unit_score.lines.append(
                _("按有数据的指标折算为百分制：%(earned)s ÷ %(used)s × 100 = %(base)s 分。")
                % {"earned": earned, "used": used_weight, "base": unit_score.base}
            )
        yellow = data.get("yellow_count", {}).get(pk, (0, 0))[0]
        red = data.get("red_count", {}).get(pk, (0, 0))[0]
        for count, each, label in (
            (yellow, scheme.yellow_deduction, _("黄牌")),
            (red, scheme.red_deduction, _("红牌")),
        ):
            if count and each:
                unit_score.deduction += count * each
                unit_score.lines.append(
                    _("%(label)s %(count)s 张 × %(each)s = 扣 %(points)s 分。")
                    % {"label": label, "count": count, "each": each, "points": count * each}
                )
        early_num, early_den = data.get("early_rate", {}).get(pk, (0, 0))
        if early_den and scheme.early_bonus_step > 0:
            steps = int(Decimal(early_num) / Decimal(early_den) / scheme.early_bonus_step)
            unit_score.bonus = min(Decimal(steps), scheme.early_bonus_cap)
            if unit_score.bonus:
                unit_score.lines.append(
                    _("提前办结率 %(rate)s，加 %(bonus)s 分。")
                    % {
                        "rate": _percent(Decimal(early_num) / Decimal(early_den)),
                        "bonus": unit_score.bonus,
                    }
                )
        unit_score.figures.update(yellow=yellow, red=red)
        if unit_score.assessed:
            total = unit_score.base - unit_score.deduction + unit_score.bonus
            unit_score.total = min(Decimal(100), max(Decimal(0), total)).quantize(
                TWO, ROUND_HALF_UP
            )
            unit_score.grade = grade(unit_score.total)
        else:
            unit_score.grade = str(NOT_RATED)
    # Quiet units are listed after the ranking, without a rank.
    ranked = sorted(scores.values(), key=lambda s: (not s.assessed, -(s.total or 0), s.unit.path))
    for position, unit_score in enumerate((s for s in ranked if s.assessed), start=1):
        unit_score.rank = position
    return ranked
