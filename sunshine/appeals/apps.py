from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "sunshine.appeals"
    verbose_name = _("诉求办理")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from sunshine.portal import navigation

        from . import rules  # noqa: F401 -- registers the permission rules
        from .actions import forget_api_key
        from .models import ApiKey, Category
        from .open311 import forget_service

        for signal in (post_save, post_delete):
            signal.connect(forget_api_key, sender=ApiKey)
            signal.connect(forget_service, sender=Category)

        navigation.register(_("12345诉求"), "appeals:index", order=30)
        navigation.register(_("诉求工单"), "appeals:desk", rule="appeals.desk", order=800)
