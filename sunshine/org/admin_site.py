"""The Django admin, with its gate answered by org.permissions instead of `is_staff`."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest


class AdminSite(admin.AdminSite):
    site_header = "阳光政务 · 系统管理"
    site_title = "阳光政务"
    index_title = "系统管理"

    def has_permission(self, request: HttpRequest) -> bool:
        # Imported here: this module loads with the app registry, before any model.
        from .permissions import can

        return request.user.is_active and can(request.user, "admin.site")


class AdminConfig(DjangoAdminConfig):
    default_site = "sunshine.org.admin_site.AdminSite"
