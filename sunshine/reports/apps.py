from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sunshine.reports"
    verbose_name = _("年度报告与统计")
