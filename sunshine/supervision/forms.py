from django import forms
from django.utils.translation import gettext_lazy as _

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
    response = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class BulletinForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("考评方案"), queryset=None)
    period = forms.ChoiceField(label=_("周期"), choices=Bulletin.Period.choices)
    day = forms.DateField(label=_("周期内任一日期"), help_text=_("如 2026-10-01"))
    on_portal = forms.BooleanField(label=_("发布后同时在门户公开"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(is_active=True)
