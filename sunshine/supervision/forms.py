from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Urging


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
