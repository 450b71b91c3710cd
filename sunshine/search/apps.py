from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "sunshine.search"
    verbose_name = _("全文检索")

    def ready(self) -> None:
        from sunshine.portal import navigation

        navigation.register(_("检索"), "search:results", order=20)
