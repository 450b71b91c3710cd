"""Outcomes of a request: exactly the rows of section 三 of the national annual-report template
(国办公开办函〔2021〕30号). A closed request carries one code; the annual report groups by it.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Outcome:
    code: str
    row: int  # the template's data row (1-based, rows 3–23 are outcomes)
    group: Promise
    label: Promise
    basis: str  # the article of the 条例 (or measure) the reply rests on

    @property
    def title(self) -> Promise:
        """The row as the template prints it, composed here only: "（三）不予公开 属于国家秘密",
        and a group of one row by its group alone ("（一）予以公开")."""
        if sum(o.group is self.group for o in OUTCOMES) == 1:
            return self.group
        return format_lazy("{} {}", self.group, self.label)


DISCLOSE = _("（一）予以公开")
PARTIAL = _("（二）部分公开")
WITHHOLD = _("（三）不予公开")
UNAVAILABLE = _("（四）无法提供")
UNPROCESSED = _("（五）不予处理")
OTHER = _("（六）其他处理")

OUTCOMES: tuple[Outcome, ...] = (
    # 予以公开 provides the information (第三十六条第（二）项); the decision carries the files.
    Outcome("disclose", 3, DISCLOSE, _("予以公开"), "第三十六条第（二）项"),
    Outcome("partial", 4, PARTIAL, _("部分公开"), "第三十七条"),
    Outcome("secret", 5, WITHHOLD, _("属于国家秘密"), "第十四条"),
    Outcome("forbidden", 6, WITHHOLD, _("其他法律行政法规禁止公开"), "第十四条"),
    Outcome("security", 7, WITHHOLD, _("危及“三安全一稳定”"), "第十四条"),
    Outcome("third_party", 8, WITHHOLD, _("保护第三方合法权益"), "第十五条"),
    Outcome("internal", 9, WITHHOLD, _("属于三类内部事务信息"), "第十六条第一款"),
    Outcome("process", 10, WITHHOLD, _("属于四类过程性信息"), "第十六条第二款"),
    Outcome("enforcement", 11, WITHHOLD, _("属于行政执法案卷"), "第十六条第二款"),
    Outcome("inquiry", 12, WITHHOLD, _("属于行政查询事项"), "第三十六条第（七）项"),
    Outcome(
        "not_held",
        13,
        UNAVAILABLE,
        _("本机关不掌握相关政府信息"),
        "第三十六条第（四）项",  # 第（五）项 when another agency is named: see letters
    ),
    Outcome("new_record", 14, UNAVAILABLE, _("没有现成信息需要另行制作"), "第三十八条"),
    Outcome("unclear", 15, UNAVAILABLE, _("补正后申请内容仍不明确"), "第三十条"),
    Outcome("petition", 16, UNPROCESSED, _("信访举报投诉类申请"), "第三十九条第一款"),
    Outcome("repeat", 17, UNPROCESSED, _("重复申请"), "第三十六条第（六）项"),
    Outcome("publication", 18, UNPROCESSED, _("要求提供公开出版物"), "第三十九条第二款"),
    Outcome("excessive", 19, UNPROCESSED, _("无正当理由大量反复申请"), "第三十五条"),
    Outcome("confirm", 20, UNPROCESSED, _("要求行政机关确认或重新出具已获取信息"), "第三十九条"),
    Outcome(
        "no_correction",
        21,
        OTHER,
        _("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        "第三十条",
    ),
    Outcome(
        "unpaid",
        22,
        OTHER,
        _("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        "《政府信息公开信息处理费管理办法》第七条",
    ),
    Outcome("other", 23, OTHER, _("其他"), "第三十三条"),
)
BY_CODE = {o.code: o for o in OUTCOMES}
# Outcomes staff choose in a decision; 21 and 22 follow only from a missed deadline.
DECIDABLE = tuple(o for o in OUTCOMES if o.code not in ("no_correction", "unpaid"))
CHOICES = [(o.code, o.title) for o in OUTCOMES]


class ApplicantType(models.TextChoices):
    """The six applicant columns of section 三, in the template's order."""

    NATURAL = "natural", _("自然人")
    COMMERCIAL = "commercial", _("商业企业")
    RESEARCH = "research", _("科研机构")
    PUBLIC_INTEREST = "public_interest", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER = "other", _("其他")
