from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SECTION_TWO_FIELDS


class ReportForm(forms.Form):
    overview = forms.CharField(label=_("一、总体情况"), required=False, widget=forms.Textarea)
    problems = forms.CharField(
        label=_("五、存在的主要问题及改进情况"), required=False, widget=forms.Textarea
    )
    other = forms.CharField(
        label=_("六、其他需要报告的事项"), required=False, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in SECTION_TWO_FIELDS:
            field = forms.DecimalField if name == "fees_10k_yuan" else forms.IntegerField
            self.fields[name] = field(label=label, required=False, min_value=0)

    def section_two(self) -> dict:
        return {
            name: float(v) if name == "fees_10k_yuan" and v is not None else v
            for name, _label in SECTION_TWO_FIELDS
            if (v := self.cleaned_data.get(name)) is not None
        }
