from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sunshine.org.admin import GovernedAdmin

from .models import ProcessDefinition


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(GovernedAdmin):
    """Definitions are data kept by administrators; `clean()` refuses a spec that cannot run,
    whose step limits pass the committed limit, or that changes a version cases already use."""

    list_display = ["name", "key", "version", "status", "committed_limit", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "key"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
