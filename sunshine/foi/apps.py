from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoiConfig(AppConfig):
    name = "sunshine.foi"
    verbose_name = _("依申请公开")
