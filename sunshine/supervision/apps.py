from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "sunshine.supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from sunshine.core.seeding import rerun_after_flush
        from sunshine.portal import navigation

        from . import rules  # noqa: F401  (registers the permission rules)

        navigation.register(
            _("电子监察"), "supervision:dashboard", rule="supervision.view", order=800
        )
        # The shipped scoring schemes.
        rerun_after_flush(self, ("0003_default_scheme", "0005_appeals_scheme"), "create")
