from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sunshine.reports"
    verbose_name = _("年度报告与统计")

    def ready(self) -> None:
        from sunshine.portal import navigation

        from . import rules  # noqa: F401 -- registers the permission rules

        navigation.register(_("年度报告"), "reports:index", order=40)
