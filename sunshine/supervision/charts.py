"""Dashboards: each chart is its data (a table, by aggregate queries), the ECharts options built
from that table, and an Excel export of the same table. Pages emit the options with
`json_script`; static/supervision/charts.js draws them (no inline script under the CSP)."""

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sunshine.appeals.models import Appeal
from sunshine.appeals.models import FollowUp as AppealFollowUp
from sunshine.clocks.engine import tz
from sunshine.clocks.models import Clock, State
from sunshine.hall.models import Rating, Satisfaction
from sunshine.org.models import Department, Role
from sunshine.org.permissions import departments_for, is_supervisor

from . import performance
from .models import Alert, Level

DEFAULT_WEEKS = 12
MAX_WEEKLY_DAYS = 190  # longer windows are drawn by months
PALETTE = ["#b71c1c", "#f57c00", "#1565c0", "#2e7d32", "#6a1b9a", "#00838f"]


@dataclass
class Chart:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    options: dict[str, Any]
    note: str = ""

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"


@dataclass(frozen=True)
class Window:
    """The days a dashboard covers (both ends included), by weeks or, beyond half a year, by
    months; `name` says how it was chosen (近 12 周, 2026年3月 …)."""

    start: date
    end: date
    name: str = ""

    @classmethod
    def last_weeks(cls, now: datetime, weeks: int = DEFAULT_WEEKS) -> "Window":
        """The given number of weeks, ending with the week of `now`."""
        today = timezone.localtime(now).date()
        monday = today - timedelta(days=today.weekday())
        name = _("近 %(n)s 周") % {"n": weeks}
        return cls(monday - timedelta(weeks=weeks - 1), today, name)

    @property
    def period(self) -> performance.Period:
        return performance.Period(self.start, self.end)

    @property
    def label(self) -> str:
        dates = _("%(start)s 至 %(end)s") % {"start": self.start, "end": self.end}
        return f"{self.name}（{dates}）" if self.name else dates

    @property
    def monthly(self) -> bool:
        return (self.end - self.start).days > MAX_WEEKLY_DAYS

    def buckets(self) -> list[date]:
        """The first day of each week (a Monday) or month the window touches."""
        if self.monthly:
            first, step = self.start.replace(day=1), None
        else:
            first, step = self.start - timedelta(days=self.start.weekday()), timedelta(weeks=1)
        result = []
        while first <= self.end:
            result.append(first)
            if step:
                first += step
            else:
                year, month = divmod(first.month, 12)
                first = date(first.year + year, month + 1, 1)
        return result

    def bucket_label(self, first: date) -> str:
        if self.monthly:
            return f"{first:%Y-%m}"
        shown = max(first, self.start)  # a window may begin in mid-week
        return f"{shown:%m-%d}" if self.start.year == self.end.year else f"{shown:%Y-%m-%d}"


def _scoped(qs: QuerySet, user: Any, field: str) -> QuerySet:
    if is_supervisor(user):
        return qs
    return qs.filter(**{f"{field}__in": departments_for(user, (Role.LEADER, Role.DEPUTY_LEADER))})


def _in(period: performance.Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.since, f"{field}__lt": period.until})


def _rate(num: int, den: int) -> float | None:
    if not den:
        return None
    return float((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _bar(categories: list[str], series: list[tuple[str, list]], *, horizontal=False, **extra):
    category_axis = {"type": "category", "data": categories, "axisLabel": {"interval": 0}}
    value_axis = {"type": "value", "minInterval": 1}
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {"name": name, "type": "bar", "barMaxWidth": 48, "data": data} for name, data in series
        ],
        **extra,
    }


def _flow(user: Any, window: Window) -> Chart:
    """Clocks started and finished per week or month (finished late apart): the flow of cases."""
    period = window.period
    clocks = _scoped(Clock.objects.all(), user, "department")
    trunc = TruncMonth if window.monthly else TruncWeek

    def per_bucket(qs: QuerySet, field: str) -> Counter:
        rows = (
            qs.filter(_in(period, field))
            .annotate(bucket=trunc(field, tzinfo=tz()))
            .values("bucket")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return Counter({_day(row["bucket"]): row["n"] for row in rows})

    started = per_bucket(clocks, "started_at")
    stopped = clocks.filter(state=State.STOPPED)
    finished = per_bucket(stopped, "stopped_at")
    late = per_bucket(stopped.filter(on_time=False), "stopped_at")
    buckets = window.buckets()
    labels = [window.bucket_label(b) for b in buckets]
    rows = [[labels[i], started[b], finished[b], late[b]] for i, b in enumerate(buckets)]
    series = [
        (_("起算"), [r[1] for r in rows]),
        (_("办结"), [r[2] for r in rows]),
        (_("其中超期办结"), [r[3] for r in rows]),
    ]
    options = _bar(labels, series)
    options["series"][0]["type"] = "line"
    options["xAxis"]["axisLabel"] = {"interval": "auto"}
    by_month = window.monthly
    return Chart(
        "flow",
        _("各月计时事项起算与办结") if by_month else _("各周计时事项起算与办结"),
        [_("月份") if by_month else _("周（起始日）"), _("起算"), _("办结"), _("其中超期办结")],
        rows,
        options,
    )


def _day(value: date | datetime) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def _on_time(user: Any, window: Window) -> Chart:
    """按时办结率 by unit over the window, from the same indicator the scores use."""
    period = window.period
    unit_of = performance.units()
    figures = performance.INDICATORS["on_time_rate"].compute(period)
    visible = set(
        _scoped(Department.objects.filter(pk__in=figures), user, "pk").values_list("pk", flat=True)
    )
    totals: dict[int, list[int]] = {}
    for dept, (ok, n) in figures.items():
        unit = unit_of.get(dept)
        if unit is not None and dept in visible:
            entry = totals.setdefault(unit.pk, [0, 0])
            entry[0] += ok
            entry[1] += n or 0
    units = {u.pk: u for u in unit_of.values()}
    rows = sorted(
        ([units[pk].name, n, ok, _rate(ok, n)] for pk, (ok, n) in totals.items()),
        key=lambda r: (r[3] is None, -(r[3] or 0), r[0]),
    )
    options = _bar(
        [r[0] for r in rows][::-1],
        [(_("按时办结率（%）"), [r[3] for r in rows][::-1])],
        horizontal=True,
    )
    options["xAxis"] = {"type": "value", "max": 100}
    return Chart(
        "on_time",
        _("各单位按时办结率"),
        [_("单位"), _("办结件数"), _("按时办结"), _("按时办结率（%）")],
        rows,
        options,
    )


def _alerts(user: Any, window: Window) -> Chart:
    alerts = _scoped(Alert.objects.filter(_in(window.period, "raised_at")), user, "department")
    counts = dict(alerts.values_list("level").annotate(n=Count("pk")).order_by())
    open_counts = dict(
        alerts.filter(state=Alert.State.OPEN)
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        [str(label), counts.get(level, 0), open_counts.get(level, 0)]
        for level, label in Level.choices
    ]
    options = _bar(
        [r[0] for r in rows],
        [(_("信号总数"), [r[1] for r in rows]), (_("其中待处理"), [r[2] for r in rows])],
    )
    options["color"] = ["#b71c1c", "#f9a825"]
    return Chart(
        "alerts",
        _("监察信号（按级别）"),
        [_("级别"), _("信号总数"), _("其中待处理")],
        rows,
        options,
    )


def _appeals(user: Any, window: Window) -> QuerySet[Appeal]:
    return _scoped(
        Appeal.objects.filter(_in(window.period, "received_at"), merged_into__isnull=True),
        user,
        "lead_department",
    )


def _appeal_categories(user: Any, window: Window) -> Chart:
    rows_q = (
        _appeals(user, window)
        .values("category__parent__name", "category__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter = Counter()
    for row in rows_q:
        name = row["category__parent__name"] or row["category__name"] or _("未分类")
        counts[name] += row["n"]
    rows = [[name, n] for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Chart(
        "appeal_categories",
        _("诉求（按分类）"),
        [_("分类"), _("件数")],
        rows,
        _bar([r[0] for r in rows], [(_("件数"), [r[1] for r in rows])]),
    )


# The township or street a place names: "清水镇东村" → 清水镇.
PLACE = re.compile(r"^(.{1,10}?(?:街道|镇|乡))")


def place_of(text: str) -> str:
    match = PLACE.match(text.strip())
    return match.group(1) if match else _("城区及其他")


def _appeal_places(user: Any, window: Window) -> Chart:
    counts: Counter = Counter()
    for place, n in _appeals(user, window).values_list("place").annotate(n=Count("pk")).order_by():
        counts[place_of(place or "")] += n
    rows = [[name, n] for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Chart(
        "appeal_places",
        _("诉求（按事发地）"),
        [_("乡镇（街道）"), _("件数")],
        rows,
        _bar([r[0] for r in rows], [(_("件数"), [r[1] for r in rows])]),
        note=_("按事发地点中的乡镇（街道）名称归类。"),
    )


def _satisfaction(user: Any, window: Window) -> Chart:
    """好差评 of the service hall and 回访 of 12345, on one scale of three."""
    period = window.period
    ratings = _scoped(
        Rating.objects.filter(_in(period, "created_at")), user, "application__item__department"
    )
    hall = Counter()
    for score, n in ratings.values_list("score").annotate(n=Count("pk")).order_by():
        if score <= Satisfaction.SATISFIED:
            hall["satisfied"] += n
        elif score == Satisfaction.FAIR:
            hall["basic"] += n
        else:
            hall["unsatisfied"] += n
    followups = _scoped(
        AppealFollowUp.objects.filter(_in(period, "at")), user, "appeal__lead_department"
    )
    appeals = Counter(
        dict(followups.values_list("satisfaction").annotate(n=Count("pk")).order_by())
    )
    keys = [
        ("satisfied", _("满意")),
        ("basic", _("基本满意")),
        ("unsatisfied", _("不满意")),
    ]
    rows = []
    for source, counts in ((_("办事好差评"), hall), (_("12345回访"), appeals)):
        total = sum(counts[k] for k, _label in keys)
        rows.append(
            [
                source,
                *[counts[k] for k, _label in keys],
                total,
                _rate(counts["satisfied"] + counts["basic"], total),
            ]
        )
    options = _bar(
        [r[0] for r in rows],
        [(str(label), [r[1 + i] for r in rows]) for i, (_k, label) in enumerate(keys)],
    )
    for series in options["series"]:
        series["stack"] = "total"
    options["color"] = ["#2e7d32", "#9ccc65", "#c62828"]
    return Chart(
        "satisfaction",
        _("群众满意度"),
        [_("来源"), *[str(label) for _k, label in keys], _("评价总数"), _("满意率（%）")],
        rows,
        options,
        note=_("好差评的“非常满意”计入满意，“非常不满意”计入不满意。"),
    )


CHARTS: dict[str, Callable[[Any, Window], Chart]] = {
    "flow": _flow,
    "on_time": _on_time,
    "alerts": _alerts,
    "appeal_categories": _appeal_categories,
    "appeal_places": _appeal_places,
    "satisfaction": _satisfaction,
}


def build(user: Any, window: Window, key: str | None = None) -> list[Chart]:
    """Every chart (or the one named) over what the user may see."""
    keys = [key] if key else list(CHARTS)
    return [CHARTS[k](user, window) for k in keys]


def xlsx(chart: Chart, window: Window) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = chart.title[:31]
    sheet.append([chart.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([window.label])
    sheet.append(chart.columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in chart.rows:
        sheet.append(["" if v is None else v for v in row])
    if chart.note:
        sheet.append([])
        sheet.append([chart.note])
    sheet.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
