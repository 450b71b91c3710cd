from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sunshine.org.admin import GovernedAdmin, MembershipInline

from .models import User


@admin.register(User)
class UserAdmin(GovernedAdmin, DjangoUserAdmin):
    """Staff accounts are made here by administrators; public users register themselves."""

    inlines = [MembershipInline]
    list_display = ["username", "real_name", "kind", "organisation_name", "is_active"]
    list_filter = ["kind", "is_active", "memberships__role"]
    search_fields = ["username", "real_name", "organisation_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("身份信息"),
            {
                "fields": [
                    "kind",
                    "real_name",
                    "id_number",
                    "organisation_name",
                    "credit_code",
                    "mobile",
                    "email",
                ]
            },
        ),
        (
            _("状态"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "locked_until",
                    "failed_logins",
                    "last_login",
                    "date_joined",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "real_name",
                    "mobile",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined", "failed_logins"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People are deactivated, never deleted: the audit log and the cases refer to them.
        return False
