"""Administration of the service items (实施清单 and 办事指南) with their legal bases, materials
and fees (each fee's per-case ceiling is what 违规收费 checks compare the fee charged against),
and the themes the catalogue is browsed by. Every save is audited (GovernedAdmin); nothing an
application points at is deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sunshine.org.admin import GovernedAdmin, GovernedInline

from .models import Fee, LegalBasis, Material, ServiceItem, Theme


class LegalBasisInline(GovernedInline):
    model = LegalBasis
    extra = 0


class MaterialInline(GovernedInline):
    model = Material
    extra = 0
    can_delete = False  # submitted files point at it


class FeeInline(GovernedInline):
    model = Fee
    fields = ["name", "standard", "amount", "basis"]
    extra = 0


class KeptAdmin(GovernedAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(KeptAdmin):
    list_display = ["name", "impl_code", "version", "is_current", "item_type", "department", "free"]
    list_filter = ["is_current", "item_type", "free"]
    search_fields = ["name", "impl_code", "basic_code"]
    list_select_related = ["department"]
    filter_horizontal = ["co_departments", "themes"]
    inlines = [LegalBasisInline, MaterialInline, FeeInline]


@admin.register(Theme)
class ThemeAdmin(KeptAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name"]
