"""How a due date was reached, in Chinese: shown on every case page and by `manage.py deadline`."""

from datetime import date, datetime

from django.utils.translation import gettext as _

from .engine import Calendar, Computation, EventData, Kind, local
from .models import PauseReason, Unit

WEEKDAYS = "一二三四五六日"


def fmt_day(d: date) -> str:
    return f"{d.isoformat()}（星期{WEEKDAYS[d.weekday()]}）"


def fmt_moment(moment: datetime, unit: str) -> str:
    moment = local(moment)
    if unit == Unit.HOURS:
        return moment.strftime("%Y-%m-%d %H:%M")
    return fmt_day(moment.date())


def fmt_amount(amount: int, unit: str) -> str:
    if unit == Unit.HOURS:
        hours, minutes = divmod(amount, 60)
        return f"{hours} 小时" + (f" {minutes} 分钟" if minutes else "")
    return f"{amount} 个{Unit(unit).label}"


def _calendar_lines(start: datetime, end: datetime, calendar: Calendar) -> list[str]:
    """Holiday stretches skipped and 调休 weekend days worked between two moments."""
    a, b = local(start).date(), local(end).date()
    lines = [
        _("　跳过 {name}假期 {first} 至 {last}（{days} 天）").format(
            name=name, first=first.isoformat(), last=last.isoformat(), days=(last - first).days + 1
        )
        for first, last, name in calendar.holiday_stretches(a, b)
    ]
    lines += [
        _("　{day}为{name}调休上班日，计入").format(day=fmt_day(d), name=name)
        for d, name in calendar.adjusted_workdays(a, b)
    ]
    return lines


def explain(
    unit: str,
    limit: int,
    legal_basis: str,
    events: list[EventData],
    result: Computation,
    calendar: Calendar,
) -> list[str]:
    workdays = unit == Unit.WORKDAYS
    start = events[0]
    lines = [
        _("起算：{at}{what}，当日不计入。").format(
            at=fmt_moment(start.at, unit), what=f"{start.note}" if start.note else ""
        )
        if unit != Unit.HOURS
        else _("起算：{at}{what}。").format(at=fmt_moment(start.at, unit), what=start.note),
        _("期限：{amount}{basis}。").format(
            amount=fmt_amount(limit if unit != Unit.HOURS else limit * 60, unit),
            basis=f"（{legal_basis}）" if legal_basis else "",
        ),
    ]
    if workdays:
        lines.append(_("双休日和法定节假日不计入，调休上班日计入。"))
    segments = iter(result.segments)
    for event in events[1:]:
        when = fmt_moment(event.at, unit)
        if event.kind in (Kind.PAUSE, Kind.RESTART, Kind.STOP):
            segment = next(segments, None)
            if segment is not None and workdays:
                lines += _calendar_lines(segment.start, event.at, calendar)
        if event.kind == Kind.PAUSE:
            reason = PauseReason(event.reason).label if event.reason else _("暂停")
            lines.append(
                _("{when} 暂停计时（{reason}），暂停期间不计入期限。").format(
                    when=when, reason=reason
                )
            )
        elif event.kind == Kind.RESUME:
            lines.append(
                _("{when} 恢复计时{tail}。").format(
                    when=when, tail=_("，当日不计入") if unit != Unit.HOURS else ""
                )
            )
        elif event.kind == Kind.RESTART:
            lines.append(
                _("{when} 重新起算{note}，期限重新计算。").format(
                    when=when, note=f"（{event.note}）" if event.note else ""
                )
            )
        elif event.kind == Kind.EXTEND:
            lines.append(
                _("{when} 延长 {amount}{approver}{note}。").format(
                    when=when,
                    amount=fmt_amount(event.amount * (60 if unit == Unit.HOURS else 1), unit),
                    approver=_("，批准人：{name}").format(name=event.approver)
                    if event.approver
                    else "",
                    note=f"（{event.note}）" if event.note else "",
                )
            )
        elif event.kind == Kind.STOP:
            lines.append(
                _("{when} 结束{outcome}。").format(
                    when=when, outcome=f"（{event.note}）" if event.note else ""
                )
            )
    if result.state == "paused":
        lines.append(
            _("当前暂停中，剩余 {amount}，恢复计时后从恢复之日起继续计算。").format(
                amount=fmt_amount(result.remaining or 0, unit)
            )
        )
        return lines
    segment = result.segments[-1] if result.segments else None
    if result.state == "running" and segment is not None and workdays:
        lines += _calendar_lines(segment.start, result.due_at, calendar)
    if result.due_at is not None:
        if unit == Unit.HOURS:
            due_text = fmt_moment(result.due_at, unit)
        else:
            due_text = _("{day}当日结束").format(day=fmt_day(result.due_date))
        lines.append(_("截止：{due}。").format(due=due_text))
    if result.state == "stopped":
        lines.append(_("按期办结。") if result.on_time else _("超期办结。"))
    if result.provisional:
        lines.append(
            _("（预计）期限涉及尚未录入节假日安排的年份，暂按双休日计算，录入后将重新计算。")
        )
    return lines
