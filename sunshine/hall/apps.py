from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "sunshine.hall"
    verbose_name = _("网上办事大厅")
