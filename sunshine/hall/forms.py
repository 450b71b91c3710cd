import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sunshine.core.uploads import UploadField
from sunshine.workflow import spec as S
from sunshine.workflow.actions import VERB_LABELS

from .actions import FORM_FIELDS, HAND_OFF
from .models import (
    Application,
    FollowUp,
    Satisfaction,
    ServiceItem,
    SpecialKind,
    SubmittedMaterial,
)

Review = SubmittedMaterial.Review


def material_fields(
    form: forms.Form,
    item: ServiceItem,
    *,
    required: bool,
    attached: Mapping[int, SubmittedMaterial] | None = None,
) -> None:
    """An upload field per material; one already `attached` (by material) is named with its
    file, which a new upload replaces, and is no longer required."""
    attached = attached or {}
    for material in item.materials.all():
        guide = _("原件 %(o)s 份，复印件 %(c)s 份。依据：%(b)s") % {
            "o": material.originals,
            "c": material.copies,
            "b": material.basis,
        }
        file = attached.get(material.pk)
        form.fields[f"material_{material.pk}"] = UploadField(
            label=material.name,
            required=required and material.required and file is None,
            # Help text is rendered as HTML: the file's name goes through format_html.
            help_text=format_html(
                '<span class="attached">{}<a href="{}">{}</a>{}</span> {}',
                _("已上传："),
                reverse("hall:file", args=[file.pk]),
                file.name,
                _("（如需更换，请重新选择文件）"),
                guide,
            )
            if file
            else guide,
        )


def uploaded(form: forms.Form) -> dict[int, object]:
    return {
        int(name.removeprefix("material_")): value
        for name, value in form.cleaned_data.items()
        if name.startswith("material_") and value
    }


class CaseForm(forms.Form):
    """A form of the case page, which holds several: `slot` names it there (as the form sent
    back with an error takes its place) and prefixes its ids."""

    slot = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.slot}-%s")
        super().__init__(*args, **kwargs)


class ApplicationForm(forms.Form):
    applicant_name = forms.CharField(label=_("申请人（单位）名称"), max_length=128)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)
    project = forms.CharField(label=_("申请内容"), max_length=200)
    address = forms.CharField(label=_("经营（项目）地址"), max_length=255, required=False)
    description = forms.CharField(label=_("情况说明"), widget=forms.Textarea, required=False)
    # Names this filling-in of the form: sent twice (a double click), it is one application.
    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    def __init__(
        self,
        *args,
        item: ServiceItem,
        attached: Mapping[int, SubmittedMaterial] | None = None,
        checking: bool = False,
        **kwargs,
    ) -> None:
        """A new application, or a draft with its files `attached` (by material). The required
        materials are asked for only when `checking` a draft before it is submitted: a form
        sent without them is saved as a draft, so that the files given are not lost."""
        super().__init__(*args, **kwargs)
        self.initial.setdefault("form_key", uuid.uuid4().hex)
        material_fields(self, item, required=checking, attached=attached)

    @classmethod
    def for_draft(
        cls, app: Application, data: Any = None, files: Any = None, *, check: bool = False
    ) -> "ApplicationForm":
        """The form of a draft: its values, its files listed. `check` binds it to the draft as it
        stands, so that what it still lacks for submission (a required material above all) is
        shown beside its field."""
        values = {name: getattr(app, name) for name in FORM_FIELDS}
        if check:
            data, files = values, {}
        return cls(
            data, files, item=app.item, attached=attached(app), checking=check, initial=values
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            # The page comes back, and no browser fills a file input again: say which files
            # were not kept rather than drop them silently.
            for name, upload in list(data.items()):
                if name.startswith("material_") and upload:
                    self.add_error(
                        name, _("所选文件“%(f)s”未保存，请重新选择。") % {"f": upload.name}
                    )
        return data


def attached(app: Application) -> dict[int, SubmittedMaterial]:
    """The application's current file of each material, by material."""
    return {f.material_id: f for f in app.files.filter(current=True)}


class CorrectionForm(CaseForm):
    slot = "correction"
    note = forms.CharField(label=_("补正说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, item: ServiceItem, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        material_fields(self, item, required=False)


class IntakeForm(CaseForm):
    """受理审查: the 材料预审 of each submitted file (a verdict and a note, fields named by the
    file), then what is needed for a 补正 or a 不予受理."""

    slot = "intake"

    items = forms.CharField(
        label=_("需补正的内容（每行一项）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reason = forms.CharField(
        label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, submitted: Sequence[SubmittedMaterial], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submitted = list(submitted)
        for file in self.submitted:
            self.fields[f"review_{file.pk}"] = forms.ChoiceField(
                label=_("预审"),
                choices=[(v, Review(v).label) for v in (Review.ACCEPTED, Review.CORRECT)],
                required=False,
                widget=forms.RadioSelect,
                initial=None if file.review == Review.PENDING else file.review,
            )
            self.fields[f"note_{file.pk}"] = forms.CharField(
                label=_("预审意见"),
                required=False,
                max_length=SubmittedMaterial._meta.get_field("review_note").max_length,
                initial=file.review_note,
                widget=forms.TextInput(
                    attrs={"aria-label": _("%(m)s的预审意见") % {"m": file.material.name}}
                ),
            )

    @property
    def rows(self) -> list[tuple[SubmittedMaterial, forms.BoundField, forms.BoundField]]:
        return [(f, self[f"review_{f.pk}"], self[f"note_{f.pk}"]) for f in self.submitted]

    def reviews(self) -> list[tuple[SubmittedMaterial, bool, str]]:
        """Each file given a verdict, whether it is in order, and the note (a file left
        unmarked is left as it was)."""
        data = self.cleaned_data
        return [
            (f, data[f"review_{f.pk}"] == Review.ACCEPTED, data[f"note_{f.pk}"])
            for f in self.submitted
            if data.get(f"review_{f.pk}")
        ]


class SignForm(forms.Form):
    """A signature on a task. It offers what the action would accept now (`verbs`; the steps to
    return to; the fee where the signature decides), but checks only what was typed: why a verb
    is refused is for the action to say, in its own words."""

    verb = forms.ChoiceField(label=_("操作"), choices=list(VERB_LABELS.items()))
    opinion = forms.CharField(
        label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}), initial=_("同意。")
    )
    target = forms.CharField(label=_("退回到环节"), required=False, widget=forms.Select)
    to_user = forms.CharField(label=_("转办/加签给（用户名）"), required=False)
    fee = forms.DecimalField(
        label=_("实收费用（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    confirm_fee = forms.BooleanField(
        label=_("确认按实际收取的金额登记"),
        required=False,
        help_text=_("实收费用超出收费标准的，须勾选确认后方可登记，并作为收费异常纳入监察。"),
    )

    def __init__(
        self,
        *args,
        verbs: Sequence[str],
        targets: Sequence[S.Step] = (),
        fee: bool = False,
        ceiling: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.verbs = list(verbs)
        self.fields["verb"].widget.choices = [(v, VERB_LABELS[v]) for v in self.verbs]
        if S.RETURN_ANY in self.verbs and targets:
            choices = [("", "—"), *((step.key, step.name) for step in targets)]
            self.fields["target"].widget.choices = choices
        else:
            del self.fields["target"]
        if not set(HAND_OFF) & set(self.verbs):
            del self.fields["to_user"]
        if not fee:
            del self.fields["fee"], self.fields["confirm_fee"]
        else:
            # Where the decision is made, so the fee is asked for: the hint below the field
            # gives the standard.
            self.fields["fee"].widget.attrs["aria-describedby"] = f"{self.auto_id % 'fee'}_hint"
            if not ceiling:  # no ceiling known, nothing to be above
                del self.fields["confirm_fee"]

    @property
    def records_fee(self) -> bool:
        return "fee" in self.fields

    def clean_to_user(self) -> Any:
        username = self.cleaned_data["to_user"].strip()
        return get_user_model().objects.filter(username=username).first() if username else None


class ExtendForm(CaseForm):
    slot = "extend"
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class EndSpecialForm(forms.Form):
    result = forms.CharField(label=_("结果"))


class SpecialForm(CaseForm):
    slot = "special"
    kind = forms.ChoiceField(label=_("特别程序"), choices=SpecialKind.choices)
    days = forms.IntegerField(label=_("所需工作日"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("启动理由或依据"), widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(CaseForm):
    slot = "rating"
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
