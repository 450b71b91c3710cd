"""Administration of the service items (实施清单 and 办事指南) with their legal bases, materials
and fees (each fee's per-case ceiling is what 违规收费 checks compare the fee charged against),
and the themes the catalogue is browsed by. Every save is audited (GovernedAdmin); nothing an
application points at is deleted. A new item is saved as its first version; saving a change to
an item publishes its next version (actions.publish_version), and superseded versions are shown
read-only."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from sunshine.errors import ActionError
from sunshine.org.admin import GovernedAdmin, GovernedInline

from . import actions
from .models import Fee, LegalBasis, Material, ServiceItem, Theme


def _editable(request: HttpRequest, item: ServiceItem | None) -> bool:
    """Superseded versions stay as they were. A stale form posted to one still goes through, so
    that publish_version refuses it with the reason instead of a bare 403."""
    return item is None or item.is_current or request.method == "POST"


class VersionedInline(GovernedInline):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _editable(request, obj)

    has_add_permission = has_delete_permission = has_change_permission


class LegalBasisInline(VersionedInline):
    model = LegalBasis
    extra = 0


class MaterialInline(VersionedInline):
    model = Material
    extra = 0
    can_delete = False  # submitted files point at it


class FeeInline(VersionedInline):
    model = Fee
    fields = ["name", "standard", "amount", "basis"]
    extra = 0


class KeptAdmin(GovernedAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(KeptAdmin):
    list_display = [
        "name", "impl_code", "version", "effective_from", "is_current", "item_type", "department",
        "free",
    ]  # fmt: skip
    list_filter = ["is_current", "item_type", "free"]
    search_fields = ["name", "impl_code", "basic_code"]
    list_select_related = ["department"]
    filter_horizontal = ["co_departments", "themes"]
    inlines = [LegalBasisInline, MaterialInline, FeeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["version", "is_current", "effective_from"]
        return fixed if obj is None else ["impl_code", *fixed]  # the versions share the code

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _editable(request, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ActionError as error:  # the admin's transaction has rolled back
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
        # A change is published with its inlines in save_related, as the next version.

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if not change:
            super().save_related(request, form, formsets, change)
            return
        parts = {
            formset.fk.remote_field.related_name: [
                actions.guide_values(f.instance)
                for f in formset.forms
                if f not in formset.deleted_forms and (f.instance.pk or f.has_changed())
            ]
            for formset in formsets
        }
        old = form.instance
        new = actions.publish_version(
            request.user,
            old,
            changes=actions.guide_values(old),
            co_departments=form.cleaned_data["co_departments"],
            themes=form.cleaned_data["themes"],
            **parts,
        )
        request.hall_version = new
        self.message_user(
            request,
            _(
                "已发布第 %(new)s 版，%(day)s 起施行；"
                "第 %(old)s 版已被取代，按其提交的申请不受影响。"
            )
            % {"new": new.version, "day": new.effective_from, "old": old.version},
        )

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool
    ) -> Any:
        if add:
            return super().construct_change_message(request, form, formsets, add)
        # The inlines were not saved on this row: they went into the new version.
        return _("发布为第 %(n)s 版") % {"n": request.hall_version.version}

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        # Go on to the version just published, not the one the form was opened on.
        return super().response_change(request, getattr(request, "hall_version", obj))


@admin.register(Theme)
class ThemeAdmin(KeptAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name"]
