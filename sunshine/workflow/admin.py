from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sunshine.org.admin import GovernedAdmin

from .models import ProcessDefinition


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(GovernedAdmin):
    """Definitions are data kept by administrators; `clean()` refuses a spec that cannot run,
    whose step limits pass the committed limit, or that changes a version cases already use."""

    list_display = ["name", "key", "version", "status", "committed_limit", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "key"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        """The spec's help says how to mark the deciding step, which is easy to miss."""
        kwargs["help_texts"] = {
            "spec": _(
                "环节、角色、部门、时限、操作与并联分支。作出许可决定的环节标记 "
                '"decides": true（至多一个，不能是并联环节或受理环节），其后的环节为送达；'
                "不标记的，流程结束时作出决定。"
            )
        }
        return super().get_form(request, obj, change, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
