"""Figures the system computes, offered for insertion into the text sections 一, 五 and 六.

Each figure is a finished sentence built from queries over the records (or from the report's own
tables, so the text agrees with them); staff insert it where it belongs and write around it.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.clocks.models import Clock, State
from sunshine.foi.actions import REPLY
from sunshine.foi.models import Request
from sunshine.foi.outcomes import OUTCOMES
from sunshine.publishing.models import Publication

from .models import AnnualReport
from .tables import CARRIED_IN, CARRIED_OUT, NEW, TOTAL, TOTAL_ROW, Scope


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str
    sentence: str


def _publications(scope: Scope) -> Figure:
    start, end = scope.moments
    counts = dict(
        Publication.objects.filter(
            organisation_id__in=scope.organisation_ids,
            published_at__gte=start,
            published_at__lt=end,
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    parts = "，".join(
        _("{kind}{n}件").format(kind=label, n=counts[kind])
        for kind, label in Publication.Kind.choices
        if counts.get(kind)
    )
    sentence = _("本年主动公开政府信息{total}件").format(total=total)
    sentence += _("，其中{parts}。").format(parts=parts) if parts else "。"
    return Figure("publications", _("本年主动公开政府信息"), _("{n}件").format(n=total), sentence)


def _visits(scope: Scope) -> Figure:
    total = (
        Publication.objects.filter(organisation_id__in=scope.organisation_ids).aggregate(
            n=Sum("view_count")
        )["n"]
        or 0
    )
    today = timezone.localdate()
    return Figure(
        "visits",
        _("公开信息累计访问量（截至今日）"),
        _("{n}次").format(n=total),
        _("截至{day}，本机关公开的政府信息累计访问{n}次。").format(
            day=f"{today.year}年{today.month}月{today.day}日", n=total
        ),
    )


def _late_replies(scope: Scope) -> Figure:
    """Requests closed in the year whose reply clock ran past the legal limit."""
    closed = Request.objects.filter(
        organisation_id__in=scope.organisation_ids,
        closed_on__gte=scope.start,
        closed_on__lte=scope.end,
    ).values(key=Cast("pk", CharField()))
    late = Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Request),
        kind=REPLY,
        state=State.STOPPED,
        on_time=False,
        object_id__in=closed,
    ).count()
    sentence = (
        _("本年办结的申请中，有{n}件超过法定期限答复。").format(n=late)
        if late
        else _("本年办结的申请均在法定期限内答复。")
    )
    return Figure("late", _("超过法定期限答复"), _("{n}件").format(n=late), sentence)


def _fees(scope: Scope) -> Figure:
    paid = Request.objects.filter(
        organisation_id__in=scope.organisation_ids,
        fee_paid_on__gte=scope.start,
        fee_paid_on__lte=scope.end,
    ).aggregate(n=Count("pk"), amount=Sum("fee_amount"))
    n, amount = paid["n"], paid["amount"] or 0
    sentence = (
        _(
            "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{n}件，共计{amount}元。"
        ).format(n=n, amount=amount)
        if n
        else _("本年度未收取政府信息公开信息处理费。")
    )
    return Figure(
        "fees", _("收取信息处理费"), _("{n}件 {amount}元").format(n=n, amount=amount), sentence
    )


def _requests(three: dict[int, list[int]]) -> list[Figure]:
    new, carried_in = three[NEW][TOTAL], three[CARRIED_IN][TOTAL]
    closed, carried_out = three[TOTAL_ROW][TOTAL], three[CARRIED_OUT][TOTAL]
    figures = [
        Figure(
            "requests",
            _("收到和办结申请"),
            _("新收{new}件，办结{closed}件").format(new=new, closed=closed),
            _(
                "本年新收政府信息公开申请{new}件，上年结转{carried_in}件，办结{closed}件，"
                "结转下年度继续办理{carried_out}件。"
            ).format(new=new, carried_in=carried_in, closed=closed, carried_out=carried_out),
        )
    ]
    groups: dict[str, int] = {}
    for outcome in OUTCOMES:
        label = str(outcome.group)[3:]  # without the numbering: "（一）予以公开" → "予以公开"
        groups[label] = groups.get(label, 0) + three[outcome.row][TOTAL]
    if closed:
        parts = "，".join(_("{label}{n}件").format(label=k, n=v) for k, v in groups.items() if v)
        figures.append(
            Figure(
                "outcomes",
                _("办理结果"),
                "、".join(f"{k}{v}" for k, v in groups.items() if v),
                _("在办结的申请中，{parts}。").format(parts=parts),
            )
        )
    return figures


def _remedies(four: list[list[int]]) -> tuple[Figure, Figure]:
    review, suits = four[0][-1], four[1][-1] + four[2][-1]
    corrected = sum(group[1] for group in four)
    return (
        Figure(
            "remedies",
            _("行政复议、行政诉讼"),
            _("复议{review}件，诉讼{suits}件").format(review=review, suits=suits),
            _("本年因政府信息公开被申请行政复议{review}件，被提起行政诉讼{suits}件。").format(
                review=review, suits=suits
            ),
        ),
        Figure(
            "corrected",
            _("复议、诉讼结果被纠正"),
            _("{n}件").format(n=corrected),
            _("本年政府信息公开行政复议、行政诉讼结果被纠正{n}件。").format(n=corrected),
        ),
    )


def offered(report: AnnualReport, tables: dict[str, Any]) -> dict[str, list[Figure]]:
    """The figures for each text section, the request figures taken from the report's tables
    (computed or entered) so that the text and the tables say the same."""
    scope = Scope(report.organisation, report.year)
    remedies, corrected = _remedies(tables["four"])
    problems = [corrected]
    if not tables["entered"]:  # no clocks exist for a year entered by hand
        problems.insert(0, _late_replies(scope))
    return {
        "overview": [
            _publications(scope),
            *_requests(tables["three"]),
            remedies,
            _visits(scope),
        ],
        "problems": problems,
        "other": [_fees(scope)],
    }


def sentence(figures: dict[str, list[Figure]], choice: str) -> tuple[str, str] | None:
    """(section, sentence) for a choice "section:key" sent by the form, or None."""
    section, _sep, key = choice.partition(":")
    for figure in figures.get(section, []):
        if figure.key == key:
            return section, figure.sentence
    return None
