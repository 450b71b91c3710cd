from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "sunshine.hall"
    verbose_name = _("网上办事大厅")

    def ready(self) -> None:
        from sunshine.portal import navigation

        from . import rules  # noqa: F401 -- registers the permission rules

        navigation.register(_("办事大厅"), "hall:index", order=20)
        navigation.register(_("审批办件"), "hall:office", rule="hall.office", order=880)
