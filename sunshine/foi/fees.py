"""信息处理费 under 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号): charged only
when requests clearly exceed a reasonable number (条例第四十二条), by one method per request,
never both (第三条). Both tables are progressive on the excess (超额累进).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeMethod(models.TextChoices):
    PER_REQUEST = "per_request", _("按件计收")
    PER_PAGE = "per_page", _("按量计收")


def per_request_fee(nth_this_month: int) -> int:
    """Yuan for an applicant's n-th request of a calendar month (第四条): the first 10 free,
    11–30 ¥100 each, and from the 31st each further band of 10 adds ¥100 to the rate."""
    if nth_this_month < 1:
        raise ValueError("nth_this_month starts at 1")
    if nth_this_month <= 10:
        return 0
    if nth_this_month <= 30:
        return 100
    return 100 * (2 + (nth_this_month - 31) // 10)


PAGE_BANDS = ((30, 0), (100, 10), (200, 20), (None, 40))


def per_page_fee(pages: int) -> int:
    """Yuan for one request of `pages` pages (第五条): ≤30 free, 31–100 ¥10, 101–200 ¥20, ≥201
    ¥40 a page, each rate on the pages within its band."""
    if pages < 0:
        raise ValueError("pages must not be negative")
    total, floor = 0, 0
    for ceiling, rate in PAGE_BANDS:
        top = pages if ceiling is None else min(pages, ceiling)
        if top > floor:
            total += (top - floor) * rate
        if ceiling is None or pages <= ceiling:
            break
        floor = ceiling
    return total
