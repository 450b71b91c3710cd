from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.core.uploads import UploadField
from sunshine.workflow import spec as S

from .models import FollowUp, Satisfaction, ServiceItem, SpecialKind


def material_fields(form: forms.Form, item: ServiceItem, *, required: bool) -> None:
    for material in item.materials.all():
        form.fields[f"material_{material.pk}"] = UploadField(
            label=material.name,
            required=required and material.required,
            help_text=_("原件 %(o)s 份，复印件 %(c)s 份。依据：%(b)s")
            % {"o": material.originals, "c": material.copies, "b": material.basis},
        )


def uploaded(form: forms.Form) -> dict[int, object]:
    return {
        int(name.removeprefix("material_")): value
        for name, value in form.cleaned_data.items()
        if name.startswith("material_") and value
    }


class ApplicationForm(forms.Form):
    applicant_name = forms.CharField(label=_("申请人（单位）名称"), max_length=128)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)
    project = forms.CharField(label=_("申请内容"), max_length=200)
    address = forms.CharField(label=_("经营（项目）地址"), max_length=255, required=False)
    description = forms.CharField(label=_("情况说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, item: ServiceItem, submitting: bool = False, **kwargs) -> None:
        """Submitting asks for the required materials on the form itself, so that a missing one
        is shown beside its field instead of leaving a stray draft behind."""
        super().__init__(*args, **kwargs)
        material_fields(self, item, required=submitting)


class CorrectionForm(forms.Form):
    note = forms.CharField(label=_("补正说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, item: ServiceItem, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        material_fields(self, item, required=False)


class IntakeForm(forms.Form):
    items = forms.CharField(
        label=_("需补正的内容（每行一项）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reason = forms.CharField(
        label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SignForm(forms.Form):
    verb = forms.ChoiceField(label=_("操作"), choices=[(v, v) for v in S.VERBS])
    opinion = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(label=_("退回到环节"), required=False)
    to_user = forms.CharField(label=_("转办/加签给（用户名）"), required=False)
    fee = forms.DecimalField(
        label=_("实收费用（元）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    confirm_fee = forms.BooleanField(label=_("确认按实际收取的金额登记"), required=False)


class SpecialForm(forms.Form):
    kind = forms.ChoiceField(label=_("特别程序"), choices=SpecialKind.choices)
    days = forms.IntegerField(label=_("所需工作日"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("启动理由或依据"), widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("文字评价"), widget=forms.Textarea, required=False)


class FollowUpForm(forms.Form):
    callback_note = forms.CharField(
        label=_("回访核实情况"), widget=forms.Textarea(attrs={"rows": 3})
    )
    resolution = forms.ChoiceField(label=_("处置方式"), choices=FollowUp.Resolution.choices)
    reply = forms.CharField(label=_("反馈申请人"), widget=forms.Textarea(attrs={"rows": 3}))
