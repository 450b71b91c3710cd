from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "sunshine.workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from .calendar import invalidate_cache
        from .seeding import seed_after_migrate

        post_migrate.connect(seed_after_migrate, sender=self)
        # The editing process forgets its calendar at once; others notice by the revision query.
        for model in (self.get_model("CalendarYear"), self.get_model("SpecialDay")):
            post_save.connect(invalidate_cache, sender=model)
            post_delete.connect(invalidate_cache, sender=model)
