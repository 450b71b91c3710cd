from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Section 二 figures computed from the publications (规章 and 行政规范性文件, 条例第二十条第一项):
# (field, publishing kind, count name, label).
SECTION_TWO_COMPUTED = [
    ("rules_issued", "rule", "issued", _("规章 本年制发件数")),
    ("rules_abolished", "rule", "abolished", _("规章 本年废止件数")),
    ("rules_in_force", "rule", "in_force", _("规章 现行有效件数")),
    ("normative_issued", "normative", "issued", _("行政规范性文件 本年制发件数")),
    ("normative_abolished", "normative", "abolished", _("行政规范性文件 本年废止件数")),
    ("normative_in_force", "normative", "in_force", _("行政规范性文件 现行有效件数")),
]
# Section 二 figures entered or imported by staff. 行政许可 decisions made in the service hall
# are counted by the system (LICENCES_PLATFORM); staff enter only those made outside it.
LICENCES_PLATFORM = "licences_platform"
SECTION_TWO_FIELDS = [
    ("licences", _("行政许可 本年处理决定数量")),
    ("penalties", _("行政处罚 本年处理决定数量")),
    ("enforcement", _("行政强制 本年处理决定数量")),
    ("fees_10k_yuan", _("行政事业性收费 本年收费金额（万元）")),
]


class AnnualReport(models.Model):
    """政府信息公开工作年度报告 (条例第四十九条、第五十条) of an organisation for a year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FINAL = "final", _("已定稿发布")

    organisation = models.ForeignKey(
        "org.Department", verbose_name=_("机关"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    template = models.CharField(_("格式版本"), max_length=32, default="国办公开办函〔2021〕30号")
    state = models.CharField(_("状态"), max_length=8, choices=State, default=State.DRAFT)
    overview = models.TextField(_("一、总体情况"), blank=True)
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other = models.TextField(_("六、其他需要报告的事项"), blank=True)
    section_two = models.JSONField(_("二、主动公开政府信息情况"), default=dict, blank=True)
    # Section 三 typed in from a paper report, for a year the platform holds no requests of
    # ({"1": [7 numbers], …, "25": […]}); empty when section 三 is computed.
    entered_three = models.JSONField(_("三、人工填报数据"), default=dict, blank=True)
    three_entered_at = models.DateTimeField(null=True, blank=True)
    three_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Frozen when finalised: the published figures do not move when records change later.
    tables = models.JSONField(default=dict, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_annual_report")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"
