from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "sunshine.workflow"
    verbose_name = _("审批流程")

    def ready(self) -> None:
        from . import rules  # noqa: F401 -- registers the permission rules
