from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import charts, performance
from .models import Bulletin, Scheme, Urging


class UrgeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Urging.Kind.choices)
    message = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    limit_days = forms.IntegerField(
        label=_("答复期限（工作日，督办和纠错必填）"), required=False, min_value=1, max_value=60
    )


class CloseForm(forms.Form):
    finding = forms.CharField(
        label=_("处理结论"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class RespondForm(forms.Form):
    """The answer to one urging; the inbox shows one per urging, so each has its own ids."""

    response = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, urging_pk: int, **kwargs) -> None:
        super().__init__(*args, auto_id=f"id_u{urging_pk}_%s", **kwargs)
        self.urging_pk = urging_pk


class BulletinForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("考评方案"), queryset=None)
    period = forms.ChoiceField(label=_("周期"), choices=Bulletin.Period.choices)
    day = forms.DateField(label=_("周期内任一日期"), help_text=_("如 2026-10-01"))
    on_portal = forms.BooleanField(label=_("发布后同时在门户公开"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(is_active=True)


class ChartPeriodForm(forms.Form):
    """The dashboards' period: the last weeks, the month, quarter or year of a day, or two
    dates. `window` is the period chosen, once the form is valid."""

    WEEKS = {"4w": 4, "12w": 12, "52w": 52}
    DEFAULT = f"{charts.DEFAULT_WEEKS}w"  # the window shown when none is asked for
    MAX_YEARS = 10

    period = forms.ChoiceField(
        label=_("统计期间"),
        choices=[
            ("4w", _("近 4 周")),
            ("12w", _("近 12 周")),
            ("52w", _("近 52 周")),
            *Bulletin.Period.choices,
            ("range", _("自定义起止日期")),
        ],
        required=False,
        initial=DEFAULT,
    )
    day = forms.DateField(
        label=_("所在日期"), required=False, help_text=_("月度、季度、年度：其中任一日期，默认今天")
    )
    start = forms.DateField(label=_("起始日期"), required=False)
    end = forms.DateField(label=_("截止日期"), required=False)

    def __init__(self, *args, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("period"):
            # A query without a period (?day=… alone) covers the default window: the selector
            # says so, rather than falling back on its first option.
            self.data = self.data.copy()
            self.data["period"] = self.DEFAULT
        self.now = now
        self.window = charts.Window.last_weeks(now)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localtime(self.now).date()
        period = data.get("period") or self.DEFAULT
        if period in self.WEEKS:
            self.window = charts.Window.last_weeks(self.now, self.WEEKS[period])
        elif period == "range":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise ValidationError(_("自定义期间须填写起始日期和截止日期。"))
            if start > end:
                raise ValidationError(_("起始日期不能晚于截止日期。"))
            if end > today:
                raise ValidationError(_("截止日期不能晚于今天。"))
            if end - start > timedelta(days=366 * self.MAX_YEARS):
                raise ValidationError(_("统计期间不能超过 %(n)s 年。") % {"n": self.MAX_YEARS})
            self.window = charts.Window(start, end, str(_("自定义")))
        else:
            day = data.get("day") or today
            if day > today:
                raise ValidationError(_("所在日期不能晚于今天。"))
            start, end = performance.period_bounds(period, day)
            names = {
                "month": _("%(y)s年%(m)s月"),
                "quarter": _("%(y)s年第%(q)s季度"),
                "year": _("%(y)s年"),
            }
            name = names[period] % {"y": start.year, "m": start.month, "q": start.month // 3 + 1}
            self.window = charts.Window(start, min(end, today), name)
        return data

    def query(self) -> str:
        """The chosen period as a query string, for the Excel links."""
        return urlencode({k: v for k, v in self.data.items() if k in self.fields and v})
