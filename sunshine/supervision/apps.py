from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "sunshine.supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from sunshine.portal import navigation

        from . import rules  # noqa: F401  (registers the permission rules)

        navigation.register(
            _("电子监察"), "supervision:dashboard", rule="supervision.view", order=800
        )
