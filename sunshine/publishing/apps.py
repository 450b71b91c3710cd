from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "sunshine.publishing"
    verbose_name = _("主动公开")
