from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.appeals.models import AppealType
from sunshine.core.submissions import OnceForm
from sunshine.core.uploads import DOCUMENTS, IMAGES, UploadField
from sunshine.org.models import Department

from .fees import FeeMethod
from .models import Consultation, Remedy, Request
from .outcomes import DECIDABLE
from .queries import same_information


def agencies():
    return Department.objects.filter(is_active=True).exclude(kind=Department.Kind.SECTION)


class RequestForm(OnceForm, forms.ModelForm):
    """条例第二十九条: who asks, what for, in which form; the purpose is optional since 2019."""

    organisation = forms.ModelChoiceField(label=_("受理机关"), queryset=agencies())

    class Meta:
        model = Request
        fields = [
            "organisation",
            "applicant_type",
            "applicant_name",
            "id_kind",
            "id_number",
            "phone",
            "email",
            "address",
            "info_title",
            "info_number",
            "description",
            "form",
            "delivery",
            "purpose",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class RegisterForm(RequestForm):
    channel = forms.ChoiceField(
        label=_("申请渠道"),
        choices=[c for c in Request.Channel.choices if c[0] != Request.Channel.ONLINE],
    )
    received_on = forms.DateField(
        label=_("收到申请日期"),
        help_text=_("当面提交为提交之日；邮寄为签收之日；传真为双方确认之日（条例第三十一条）。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class TrackForm(forms.Form):
    number = forms.CharField(label=_("受理编号"), max_length=40)
    code = forms.CharField(label=_("查询码"), max_length=16)


class CorrectionNoticeForm(forms.Form):
    items = forms.CharField(label=_("需要补正的全部事项"), widget=forms.Textarea(attrs={"rows": 3}))
    days = forms.IntegerField(label=_("补正期限（工作日）"), min_value=1, max_value=30, initial=10)


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("补正内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsultForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Consultation.Kind.choices)
    party = forms.CharField(label=_("征求对象"), max_length=128)
    question = forms.CharField(label=_("征求事项"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    position = forms.ChoiceField(label=_("对方意见"), choices=Consultation.Position.choices)
    answer = forms.CharField(
        label=_("答复内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日数"), min_value=1, max_value=20, initial=20)
    reason = forms.CharField(label=_("延期理由"), max_length=200)


class FeeForm(forms.Form):
    method = forms.ChoiceField(label=_("计收方式"), choices=FeeMethod.choices)
    pages = forms.IntegerField(label=_("页数（按量计收时填写）"), min_value=0, required=False)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=[(o.code, o.title) for o in DECIDABLE])
    reply_text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}))
    other_agency = forms.CharField(
        label=_("负责公开的其他机关及联系方式（第三十六条第（五）项）"),
        max_length=255,
        required=False,
    )
    files = UploadField(label=_("公开的政府信息"), allowed=DOCUMENTS | IMAGES, required=False)


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审查结论"),
        choices=[("1", _("通过")), ("0", _("退回修改"))],
        coerce=lambda v: v == "1",
    )
    opinion = forms.CharField(label=_("审查意见"), required=False, max_length=500)


class EmptyForm(forms.Form):
    pass


class ProactiveForm(forms.Form):
    """条例第四十四条: the draft and the other requests for the same information."""

    needs_request = True
    title = forms.CharField(label=_("主动公开信息标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 4}))
    others = forms.ModelMultipleChoiceField(
        label=_("申请公开同一信息的其他申请"),
        queryset=Request.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, request: Request, **kwargs) -> None:
        kwargs.setdefault("initial", {"title": request.info_title})
        super().__init__(*args, **kwargs)
        others = self.fields["others"]
        others.queryset = same_information(request)
        others.label_from_instance = lambda r: f"{r.number} {r.applicant_name}（{r.info_title}）"


REFERRAL_TYPES = [
    (t.value, t.label)
    for t in (AppealType.COMPLAINT, AppealType.REPORT, AppealType.HELP, AppealType.SUGGESTION)
]


class ReferForm(forms.Form):
    appeal_type = forms.ChoiceField(label=_("诉求类型"), choices=REFERRAL_TYPES)


class DeliveredForm(forms.Form):
    needs_request = True
    how = forms.ChoiceField(
        label=_("送达方式"),
        choices=[c for c in Request.Channel.choices if c[0] != Request.Channel.ONLINE],
    )
    delivered_on = forms.DateField(
        label=_("送达日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("送达凭证（邮寄单号、签收人或传真确认）"), max_length=100, required=False
    )

    def __init__(self, *args: Any, request: Request, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # As asked for; a reply whose e-mail failed goes by post unless the officer says not.
        online = request.delivery == Request.Channel.ONLINE
        self.fields["how"].initial = Request.Channel.POST if online else request.delivery


class RemedyForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Remedy.Kind.choices)
    filed_on = forms.DateField(label=_("受理日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明（复议机关或法院、案号）"), max_length=255, required=False)


class RemedyDecisionForm(forms.Form):
    needs_request = True
    remedy = forms.ModelChoiceField(
        label=_("案件"), queryset=Remedy.objects.none(), empty_label=_("请选择尚未审结的案件")
    )
    result = forms.ChoiceField(
        label=_("审结结果"),
        choices=[c for c in Remedy.Result.choices if c[0] != Remedy.Result.PENDING],
    )
    decided_on = forms.DateField(
        label=_("审结日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, request: Request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remedy"].queryset = request.remedies.filter(result=Remedy.Result.PENDING)
