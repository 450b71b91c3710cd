import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from sunshine.org.permissions import can

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Browsing for auditors. Nothing here adds, changes or deletes an event, for anyone."""

    list_display = [
        "seq",
        "at",
        "who",
        "verb",
        "object_type",
        "object_id",
        "object_repr",
        "client_address",
    ]
    list_display_links = ["seq"]
    list_filter = ["verb", "at"]
    date_hierarchy = "at"
    search_fields = ["=object_id", "object_repr", "=object_type", "actor_label"]
    # Counting the whole log on every page gets slow as it grows.
    show_full_result_count = False
    fields = [
        "seq",
        "at",
        "actor",
        "actor_label",
        "verb",
        "object_type",
        "object_id",
        "object_repr",
        "before_json",
        "after_json",
        "client_address",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "audit.view")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "audit.view", obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("操作人"), ordering="actor_label")
    def who(self, event: AuditEvent) -> str:
        return event.actor_label or _("系统")

    @admin.display(description=_("变更前"))
    def before_json(self, event: AuditEvent) -> SafeString | None:
        return _pretty(event.before)

    @admin.display(description=_("变更后"))
    def after_json(self, event: AuditEvent) -> SafeString | None:
        return _pretty(event.after)


def _pretty(value: Any) -> SafeString | None:
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html("<pre>{}</pre>", text)
