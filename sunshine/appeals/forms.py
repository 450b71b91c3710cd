from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.core.submissions import OnceForm
from sunshine.org.models import Department

from .models import (
    AppealType,
    Category,
    FollowUp,
    KnowledgeEntry,
    Urgency,
    attachment_field,
)
from .text import REFUSALS


def _public_categories():
    return Category.objects.filter(is_active=True, is_public=True, parent__isnull=False)


def _units():
    return Department.objects.filter(is_active=True).exclude(kind=Department.Kind.SECTION)


class AppealForm(OnceForm):
    """The citizen's web form and mailbox letter."""

    type = forms.ChoiceField(label=_("诉求类型"), choices=AppealType.choices)
    category = forms.ModelChoiceField(
        label=_("诉求分类"), queryset=Category.objects.none(), required=False
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 8}))
    place = forms.CharField(label=_("事发地点"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=32)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    consent_publish = forms.BooleanField(
        label=_("同意公开"),
        required=False,
        help_text=_("同意后，信件和答复可能在网站选登，姓名、电话、证件号、地址等一律隐去。"),
    )
    confidential = forms.BooleanField(
        label=_("要求保密"), required=False, help_text=_("要求保密的诉求不会公开。")
    )

    def __init__(self, *args, letter: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _public_categories()
        if letter:
            self.fields["title"].max_length = 25
            self.fields["title"].help_text = _("10 至 25 个字。")
            self.fields["body"].help_text = _("不超过 1000 字。")
            self.fields["attachment"] = attachment_field()


class CallForm(AppealForm):
    """An operator's record of a call, or of a ticket transferred from the higher level."""

    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")
    external_ref = forms.CharField(label=_("上级工单号"), max_length=64, required=False)
    source_name = forms.CharField(label=_("转办来源"), max_length=64, required=False)

    field_order = ["type", "urgency", "category"]


class TrackForm(forms.Form):
    serial = forms.CharField(label=_("诉求编号"), max_length=20)
    code = forms.CharField(label=_("查询码"), max_length=16)


class DispatchForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("诉求分类"), queryset=Category.objects.none(), required=False
    )
    lead = forms.ModelChoiceField(label=_("主办单位"), queryset=Department.objects.none())
    co = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    instructions = forms.CharField(label=_("派单意见"), max_length=500, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["lead"].queryset = _units()
        self.fields["co"].queryset = _units()


class KnowledgeForm(forms.Form):
    entry = forms.ModelChoiceField(
        label=_("知识库条目"), queryset=KnowledgeEntry.objects.filter(is_active=True)
    )


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("不予受理原因"), choices=[(k, v[0]) for k, v in REFUSALS.items()]
    )
    note = forms.CharField(label=_("补充说明"), max_length=200, required=False)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("并入诉求编号"), max_length=20)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退单理由"), widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label=_("职责或法律依据"), max_length=255)


class ReturnReviewForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        label=_("改派至"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("不选则维持原派单。"),
    )
    note = forms.CharField(label=_("审核意见"), max_length=255, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reassign_to"].queryset = _units()


class ExtensionForm(forms.Form):
    amount = forms.IntegerField(label=_("延长时限"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, unit: str = "", **kwargs: Any) -> None:
        """`unit`: that of the clock to extend, which the amount is counted in."""
        super().__init__(*args, **kwargs)
        if unit:
            self.fields["amount"].label = _("延长时限（%(unit)s）") % {"unit": unit}


class DecisionForm(forms.Form):
    """同意 or 不同意 (an extension, a reply): one of them must be chosen, never assumed."""

    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择同意或不同意。"),
            "invalid_choice": _("请选择同意或不同意。"),
        },
    )
    note = forms.CharField(label=_("意见"), max_length=255, required=False)


class ReviewForm(DecisionForm):
    """答复审核: the same choice, named for what is decided."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approve"].label = _("审核结果")
        self.fields["note"].label = _("审核意见")
        self.fields["note"].help_text = _("不同意（退回重办）时必填。")


class UrgeForm(forms.Form):
    text = forms.CharField(label=_("催办/督办意见"), max_length=500)
    supervise = forms.BooleanField(label=_("作为督办"), required=False)


class OpinionForm(forms.Form):
    text = forms.CharField(label=_("协办意见"), widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 6}))


class FollowUpForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=FollowUp.Satisfaction.choices, widget=forms.RadioSelect
    )
    resolved = forms.TypedChoiceField(
        label=_("问题是否解决"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    fault = forms.ChoiceField(
        label=_("不满意的原因"),
        choices=[("", "—"), *FollowUp.Fault.choices],
        required=False,
    )
    note = forms.CharField(label=_("意见"), max_length=500, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=255)


class PublishForm(forms.Form):
    extra_masks = forms.CharField(
        label=_("另需隐去的内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，如人名、单位名、门牌号。"),
    )

    def masks(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["extra_masks"].splitlines()]
