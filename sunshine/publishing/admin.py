"""Administration of 主动公开: the catalogue, guides, review chains, sites and columns, the
pre-check's terms and the themes. Every page asks org.permissions and audits every save
(GovernedAdmin); nothing referenced by a publication is deleted, it is switched off instead.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sunshine.org.admin import GovernedAdmin, GovernedInline

from .models import (
    Category,
    Column,
    Guide,
    ReviewChain,
    ReviewStep,
    SensitiveTerm,
    Site,
    Theme,
)


class KeptAdmin(GovernedAdmin):
    """Rows that publications point at are kept: they are renamed or switched off."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CategoryInlineFormSet(forms.BaseInlineFormSet):
    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Category:
        # A sub-category belongs to its parent's organisation.
        form.instance.organisation_id = self.instance.organisation_id
        return super().save_new(form, commit)


class CategoryInline(GovernedInline):
    model = Category
    formset = CategoryInlineFormSet
    fk_name = "parent"
    fields = ["name", "sort_order", "is_active"]
    extra = 1
    can_delete = False
    verbose_name = _("下级分类")
    verbose_name_plural = _("下级分类")


@admin.register(Category)
class CategoryAdmin(KeptAdmin):
    """政府信息公开目录: one tree per organisation, two levels as in the seeds."""

    list_display = ["__str__", "organisation", "sort_order", "is_active"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["name", "parent__name", "organisation__name"]
    list_select_related = ["parent", "organisation"]
    autocomplete_fields = ["organisation", "parent"]
    ordering = ["organisation__path", "parent_id", "sort_order", "pk"]
    inlines = [CategoryInline]

    def get_inlines(self, request: HttpRequest, obj: Category | None) -> list:
        # Sub-categories are added under a saved top-level category.
        return self.inlines if obj is not None and obj.parent_id is None else []


@admin.register(Guide)
class GuideAdmin(KeptAdmin):
    list_display = ["organisation", "office_name", "phone", "updated_at"]
    search_fields = ["organisation__name", "office_name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["organisation"]}),
        (_("指南正文"), {"fields": ["arrangement", "obtaining", "requesting", "remedies"]}),
        (
            _("工作机构"),
            {"fields": ["office_name", "address", "hours", "phone", "fax", "email", "updated_at"]},
        ),
    ]


class ReviewStepInline(GovernedInline):
    model = ReviewStep
    fields = ["order", "name", "role"]
    extra = 1


@admin.register(ReviewChain)
class ReviewChainAdmin(KeptAdmin):
    """The chain an organisation's submissions go through (default: 科室审核 → 保密审查 → 签发)."""

    list_display = ["name", "organisation", "step_names"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [ReviewStepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewChain]:
        return super().get_queryset(request).select_related("organisation")

    @admin.display(description=_("审核环节"))
    def step_names(self, obj: ReviewChain) -> str:
        return " → ".join(step.name for step in obj.steps.all())


class ColumnInline(GovernedInline):
    model = Column
    fields = ["slug", "name", "sort_order", "view_count"]
    readonly_fields = ["view_count"]
    extra = 1
    can_delete = False


@admin.register(Site)
class SiteAdmin(KeptAdmin):
    """网站群: the main portal and a sub-site per unit, each with its own 栏目."""

    list_display = ["name", "code", "organisation", "is_main"]
    list_filter = ["is_main"]
    search_fields = ["name", "code", "organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [ColumnInline]


@admin.register(Column)
class ColumnAdmin(KeptAdmin):
    list_display = ["name", "site", "slug", "sort_order", "view_count"]
    list_filter = ["site"]
    search_fields = ["name", "slug", "site__name"]
    list_select_related = ["site"]
    readonly_fields = ["view_count"]


@admin.register(SensitiveTerm)
class SensitiveTermAdmin(KeptAdmin):
    """The markings the 保密审查 pre-check looks for; switched off rather than deleted, so the
    findings recorded with earlier decisions stay explainable.
    """

    list_display = ["term", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["is_active"]
    search_fields = ["term"]


@admin.register(Theme)
class ThemeAdmin(KeptAdmin):
    """主题分类 of the gov.cn policy library, extensible locally."""

    list_display = ["__str__", "sort_order"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
