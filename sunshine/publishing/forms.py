from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.core.uploads import UploadField
from sunshine.org.models import Department

from .models import Category, Column, Publication, Task, Theme
from .queries import category_choices, theme_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DraftForm(forms.Form):
    department = forms.ModelChoiceField(Department.objects.none(), label=_("报送单位"))
    title = forms.CharField(label=_("标题"), max_length=255)
    doc_number = forms.CharField(
        label=_("发文字号"),
        max_length=64,
        required=False,
        help_text=_("如 示商发〔2026〕3号；没有文号的信息不填。"),
    )
    kind = forms.ChoiceField(label=_("文件类别"), choices=Publication.Kind.choices)
    written_on = forms.DateField(label=_("成文日期"), widget=DateInput)
    category = forms.ModelChoiceField(Category.objects.none(), label=_("目录分类"))
    theme = forms.ModelChoiceField(
        Theme.objects.filter(parent__isnull=False),
        label=_("主题分类"),
        required=False,
    )
    columns = forms.ModelMultipleChoiceField(
        Column.objects.none(),
        label=_("发布栏目"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label=_("内容概述"), max_length=200, required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=128, required=False)
    body = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("可使用段落、标题、列表、表格等格式；脚本和样式会被清除。"),
    )
    attachment = UploadField(
        label=_("上传附件"),
        required=False,
        help_text=_("PDF、Word、Excel、图片等，单个不超过 20 MB。"),
    )

    def __init__(self, *args: Any, units: Any, organisation: Department | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = units
        # The options as a tree, grouped; the queryset still decides what is valid.
        theme = self.fields["theme"]
        theme.choices = [("", theme.empty_label), *theme_choices()]
        if organisation is not None:
            category = self.fields["category"]
            category.queryset = Category.objects.filter(organisation=organisation, is_active=True)
            category.choices = [("", category.empty_label), *category_choices([organisation])]
            self.fields["columns"].queryset = Column.objects.filter(
                site__organisation__in=[organisation, *organisation.ancestors()]
            ).select_related("site")


class ReviewForm(forms.Form):
    opinion = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SecrecyForm(ReviewForm):
    decision = forms.ChoiceField(
        label=_("保密审查结论"),
        choices=Task.Decision.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("依据"),
        max_length=255,
        required=False,
        help_text=_("如《政府信息公开条例》第十九条、《保守国家秘密法》第二条。"),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=255,
        help_text=_("撤回理由仅供内部留存，不在公开页面显示；公开页面只说明本信息已于何时撤回。"),
    )


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(
        label=_("有效性"),
        choices=[
            (v, label)
            for v, label in Publication.Validity.choices
            if v != Publication.Validity.VALID
        ],
    )
    on = forms.DateField(label=_("日期"), widget=DateInput)
    reason = forms.CharField(label=_("理由"), max_length=255)


class RereviewForm(forms.Form):
    publish = forms.TypedChoiceField(
        label=_("复审结论"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("现可公开，予以发布")), ("0", _("继续免于公开"))],
    )
    opinion = forms.CharField(label=_("复审意见"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("依据"), max_length=255)


class RelatedForm(forms.Form):
    index_numbers = forms.CharField(
        label=_("相关文件索引号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个索引号，如文件与其政策解读互相关联；清空则取消关联。"),
    )
