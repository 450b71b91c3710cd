from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from sunshine.audit.actions import record, snapshot

from .models import Department, Membership
from .permissions import can


def _fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if f.name not in {"password", "path"}]


def _verb(obj: models.Model, what: str) -> str:
    return f"{obj._meta.app_label}.admin_{what}_{obj._meta.model_name}"


class GovernedAdmin(admin.ModelAdmin):
    """Admin pages that ask org.permissions and write every save and delete to the audit log."""

    permission_action = "admin.manage"

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.permission_action, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = None
            if change:
                old = type(obj).objects.get(pk=obj.pk)
                before = snapshot(old, _fields(old))
            super().save_model(request, obj, form, change)
            record(
                request.user,
                _verb(obj, "change" if change else "add"),
                obj,
                before=before,
                after=snapshot(obj, _fields(obj)),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record(request.user, _verb(obj, "delete"), obj, before=snapshot(obj, _fields(obj)))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            doomed = [f.instance for f in formset.deleted_forms if f.instance.pk]
            gone = [(obj, snapshot(obj, _fields(obj))) for obj in doomed]
            saved = formset.save()
            for obj, before in gone:
                record(request.user, _verb(obj, "delete"), obj, before=before)
            for obj in saved:
                record(request.user, _verb(obj, "save"), obj, after=snapshot(obj, _fields(obj)))


class GovernedInline(admin.TabularInline):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "admin.manage", obj)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class MembershipInline(GovernedInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(Department)
class DepartmentAdmin(GovernedAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing is deleted: a department that closes is made inactive.
        return False
