from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from sunshine.clocks.engine import ClockError, EventData, Kind, compute, tz
from sunshine.clocks.explain import explain
from sunshine.clocks.models import Unit
from sunshine.workdays.calendar import get_calendar


class Command(BaseCommand):
    help = "计算期限：打印截止日期（第一行，ISO 格式）及其计算说明。例：deadline 2026-01-28 20"

    def add_arguments(self, parser):
        parser.add_argument("start", help="起算日期（触发事件当日），如 2026-01-28；小时制可带时间")
        parser.add_argument("limit", type=int, help="期限数量")
        unit = parser.add_mutually_exclusive_group()
        unit.add_argument(
            "--hours", action="store_const", dest="unit", const=Unit.HOURS, help="以小时计"
        )
        unit.add_argument(
            "--natural-days",
            action="store_const",
            dest="unit",
            const=Unit.NATURAL_DAYS,
            help="以自然日计",
        )
        parser.add_argument(
            "--basis", default="", help="法定依据，如 《政府信息公开条例》第三十三条"
        )

    def handle(self, *args, start, limit, unit, basis, **options):
        unit = unit or Unit.WORKDAYS
        try:
            moment = datetime.fromisoformat(start)
        except ValueError:
            raise CommandError(f"无法识别的日期：{start}（应为 YYYY-MM-DD）") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz())
        if limit <= 0:
            raise CommandError("期限必须为正数。")
        calendar = get_calendar()
        events = [EventData(kind=Kind.START, at=moment)]
        try:
            result = compute(unit, limit, events, calendar)
        except (ClockError, ValueError) as error:
            raise CommandError(str(error)) from None
        if unit == Unit.HOURS:
            self.stdout.write(result.due_at.astimezone(tz()).isoformat(timespec="minutes"))
        else:
            self.stdout.write(result.due_date.isoformat())
        for line in explain(unit, limit, basis, events, result, calendar):
            self.stdout.write(line)
