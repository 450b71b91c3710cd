from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "sunshine.clocks"
    verbose_name = _("办理时限")
