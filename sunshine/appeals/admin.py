"""The tables the platform keeps by hand: categories, the dispatch catalogue, the time-limit
table, mailboxes, the knowledge base and API keys (a new key is shown once, on creation)."""

from secrets import token_urlsafe
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sunshine.org.admin import GovernedAdmin

from .actions import key_digest
from .models import ApiKey, Category, DispatchEntry, KnowledgeEntry, Mailbox, TimeLimit


@admin.register(Category)
class CategoryAdmin(GovernedAdmin):
    list_display = ["code", "name", "parent", "is_public", "is_active", "sort_order"]
    list_filter = ["is_public", "is_active", "parent"]
    search_fields = ["code", "name", "keywords"]


@admin.register(DispatchEntry)
class DispatchEntryAdmin(GovernedAdmin):
    list_display = ["category", "lead", "basis"]
    filter_horizontal = ["co_handlers"]
    search_fields = ["category__name", "lead__name"]


@admin.register(TimeLimit)
class TimeLimitAdmin(GovernedAdmin):
    list_display = ["type", "urgency", "limit", "unit", "basis"]
    list_editable = ["limit", "unit"]


@admin.register(Mailbox)
class MailboxAdmin(GovernedAdmin):
    list_display = ["name", "code", "kind", "department", "is_active"]


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(GovernedAdmin):
    list_display = ["question", "department", "is_active", "updated_at"]
    search_fields = ["question", "keywords", "answer"]


@admin.register(ApiKey)
class ApiKeyAdmin(GovernedAdmin):
    list_display = ["name", "prefix", "is_active", "created_at"]
    fields = ["name", "is_active"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            key = token_urlsafe(24)
            obj.prefix, obj.digest = key[:6], key_digest(key)
            messages.warning(request, _("新的接口密钥（只显示这一次，请妥善交付）：%s") % key)
        super().save_model(request, obj, form, change)
