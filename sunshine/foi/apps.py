from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoiConfig(AppConfig):
    name = "sunshine.foi"
    verbose_name = _("依申请公开")

    def ready(self) -> None:
        from sunshine.portal import navigation

        from . import rules  # noqa: F401 -- registers the permission rules

        navigation.register(_("依申请公开"), "foi:apply", order=30)
        navigation.register(_("申请办理"), "foi:staff_list", rule="foi.staff", order=800)
