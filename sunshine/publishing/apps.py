from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "sunshine.publishing"
    verbose_name = _("主动公开")

    def ready(self) -> None:
        from sunshine.core.seeding import rerun_after_flush
        from sunshine.portal import navigation

        from . import rules  # noqa: F401 -- registers the permission rules

        navigation.register(_("政务公开"), "publishing:index", order=10)
        navigation.register(
            _("信息报送"), "publishing:work", rule="publishing.workbench", order=800
        )
        # The gov.cn themes and the pre-check's starting terms.
        rerun_after_flush(self, ("0002_themes_and_terms",))
