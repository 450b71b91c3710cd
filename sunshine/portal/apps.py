from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "sunshine.portal"
    verbose_name = _("门户")

    def ready(self) -> None:
        from . import navigation

        navigation.register(_("首页"), "portal:home", order=0)
        navigation.register(_("工作台"), "portal:workbench", rule="portal.workbench", order=900)
        navigation.register(_("系统管理"), "admin:index", rule="admin.site", order=990)
