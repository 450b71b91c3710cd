"""The written notices of 《行政许可法》 (第三十二、三十八、四十二、四十五条) as data, and their
official-style rendering through `sunshine.documents`. An item that is not a 行政许可 (a 备案 …)
gets the same notices in its own words: they cite the rules that set it, never that law, and what
it issues is its own result (Notice.title)."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.numbers import next_number
from sunshine.documents.letters import Block, Letter, render_docx, render_html, render_pdf

from .models import Application, Notice

PREFIX = {
    Notice.Kind.RECEIPT: "收",
    Notice.Kind.CORRECTION: "补",
    Notice.Kind.ACCEPTANCE: "受",
    Notice.Kind.REFUSAL: "不受",
    Notice.Kind.SPECIAL: "特",
    Notice.Kind.EXTENSION: "延",
    Notice.Kind.GRANT: "准",
    Notice.Kind.DENIAL: "不准",
}


def day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def issue(
    app: Application, kind: str, paragraphs: list[str], *, actor: Any, at: datetime
) -> Notice:
    """Number and keep a notice (in the caller's transaction; numbers are gap-free per year)."""
    year = timezone.localtime(at).year
    short = app.item.department.short_name or app.item.department.name
    if app.item.is_licensing:
        n = next_number(f"hall.notice.{kind}.{year}")
        number = f"{short}许{PREFIX[kind]}字〔{year}〕{n}号"
    else:  # no 许(可) in the number, and a series of its own
        n = next_number(f"hall.notice.other.{kind}.{year}")
        number = f"{short}{PREFIX[kind]}字〔{year}〕{n}号"
    opening = _("%(name)s：") % {"name": app.applicant_name}
    return Notice.objects.create(
        application=app,
        kind=kind,
        number=number,
        body=[opening, *paragraphs],
        issued_at=at,
        issued_by=actor,
    )


def receipt(app: Application, *, actor: Any, at: datetime) -> Notice:
    """The receipt promises the intake limit: for a 行政许可 the five working days of 第三十二条,
    after which it is accepted by law; for another item the limit of its intake step."""
    # By material, as the guide lists them, each with the file given for it: a file's own name
    # ("scan.pdf") does not say what was received.
    files = app.files.filter(current=True).select_related("material")
    if app.item.is_licensing:
        promise = _(
            "本机关将在五个工作日内作出是否受理的决定，逾期未告知补正的，自收到申请材料之日起即为"
            "受理。"
        )
    else:
        promise = _("本机关将在 %(n)s 个工作日内作出是否受理的决定。") % {"n": _intake_limit(app)}
    return issue(
        app,
        Notice.Kind.RECEIPT,
        [
            _("本机关于%(day)s收到您申请“%(item)s”（办件编号 %(number)s）提交的下列材料：")
            % {"day": day(at), "item": app.item.name, "number": app.number},
            *[
                _("%(i)s. %(material)s（%(file)s）")
                % {"i": i, "material": f.material.name, "file": f.name}
                for i, f in enumerate(files, start=1)
            ],
            promise,
        ],
        actor=actor,
        at=at,
    )


def _intake_limit(app: Application) -> int:
    """The working days an item that is not a 行政许可 takes to decide on acceptance: those of
    its intake step (第三十二条's five are a licence's)."""
    return app.item.process.parsed.steps[0].limit


def _applied(app: Application) -> str:
    """How a notice names the application: for an item that is not a 行政许可, with the rules
    it was made under (a licence's notices cite the article of 《行政许可法》 they apply)."""
    names = {"item": app.item.name, "number": app.number}
    if app.item.is_licensing:
        return _("您申请的“%(item)s”（办件编号 %(number)s）") % names
    return _("您依据%(basis)s申请办理的“%(item)s”（办件编号 %(number)s）") % {
        **names,
        "basis": app.item.basis(_("第二十九条")),
    }


def acceptance(app: Application, *, actor: Any, at: datetime) -> Notice:
    clock = app.committed_clock
    lines = [
        _(
            "您于%(day)s提出的“%(item)s”申请（办件编号 %(number)s），经审查，申请材料齐全、符合法定"
            "形式，根据%(basis)s的规定，决定予以受理。"
        )
        % {
            "day": day(app.received_at),
            "item": app.item.name,
            "number": app.number,
            "basis": app.item.intake_basis,
        },
        _(
            "受理时间：%(day)s。承诺办结时限：%(limit)s 个工作日（法定时限 %(legal)s 个工作日），预"
            "计办结日期：%(due)s。"
        )
        % {
            "day": day(app.accepted_at),
            "limit": app.item.committed_limit,
            "legal": app.item.statutory_limit,
            "due": clock.due_label if clock else "",
        },
    ]
    if app.deemed_accepted:
        lines.insert(
            1,
            _(
                "本机关未在收到申请材料之日起五个工作日内告知补正，依法自收到申请材料之日起视为受理"
                "。"
            ),
        )
    lines.append(
        _("咨询电话：%(consult)s；投诉和监督电话：%(complaint)s。")
        % {"consult": app.item.consult_phone, "complaint": app.item.complaint_phone}
    )
    return issue(app, Notice.Kind.ACCEPTANCE, lines, actor=actor, at=at)


def correction(app: Application, items: list[str], *, actor: Any, at: datetime) -> Notice:
    if app.item.is_licensing:
        again = _(
            "请补正全部材料后重新提交，本机关自收到全部补正材料之日起五个工作日内作出是否受理的"
            "决定。"
        )
    else:
        again = _(
            "请补正全部材料后重新提交，本机关自收到全部补正材料之日起 %(n)s 个工作日内作出是否受理"
            "的决定。"
        ) % {"n": _intake_limit(app)}
    return issue(
        app,
        Notice.Kind.CORRECTION,
        [
            _(
                "您于%(day)s提出的“%(item)s”申请（办件编号 %(number)s），经审查，申请材料不齐全或者"
                "不符合法定形式。根据%(basis)s的规定，现一次性告知您需要补正的全部内容如下："
            )
            % {
                "day": day(app.received_at),
                "item": app.item.name,
                "number": app.number,
                "basis": app.item.basis(_("第三十二条第一款第（四）项")),
            },
            *[f"{i}. {text}" for i, text in enumerate(items, start=1)],
            again,
        ],
        actor=actor,
        at=at,
    )


def refusal(app: Application, reason: str, *, actor: Any, at: datetime) -> Notice:
    return issue(
        app,
        Notice.Kind.REFUSAL,
        [
            _(
                "您于%(day)s提出的“%(item)s”申请（办件编号 %(number)s），经审查，本机关决定不予受理"
                "。"
            )
            % {"day": day(app.received_at), "item": app.item.name, "number": app.number},
            _("理由：%(reason)s") % {"reason": reason},
            app.item.remedies,
        ],
        actor=actor,
        at=at,
    )


def special(
    app: Application, kind_label: str, days: int, reason: str, *, actor: Any, at: datetime
) -> Notice:
    names = {"kind": kind_label, "days": days}
    if app.item.is_licensing:
        excluded = _(
            "根据《中华人民共和国行政许可法》第四十五条的规定，%(kind)s所需时间不计算在办理期限内，"
            "预计需要 %(days)s 个工作日。"
        )
    else:
        excluded = _("%(kind)s所需时间不计算在办理期限内，预计需要 %(days)s 个工作日。")
    return issue(
        app,
        Notice.Kind.SPECIAL,
        [
            _("%(applied)s需要进行%(kind)s。理由或依据：%(reason)s")
            % {"applied": _applied(app), "kind": kind_label, "reason": reason},
            excluded % names,
        ],
        actor=actor,
        at=at,
    )


def extension(app: Application, days: int, reason: str, *, actor: Any, at: datetime) -> Notice:
    names = {"applied": _applied(app), "reason": reason, "days": days}
    if app.item.is_licensing:
        text = _(
            "%(applied)s，因%(reason)s，不能在法定期限内作出决定。经本机关负责人批准，根据《中华人民"
            "共和国行政许可法》第四十二条的规定，办理期限延长 %(days)s 个工作日。"
        )
    else:
        # The rules of a 备案 set the filing, not this extension: nothing is cited for it.
        text = _(
            "%(applied)s，因%(reason)s，不能在规定期限内办结。经本机关负责人批准，办理期限延长 "
            "%(days)s 个工作日。"
        )
    return issue(app, Notice.Kind.EXTENSION, [text % names], actor=actor, at=at)


def decision(app: Application, *, actor: Any, at: datetime) -> Notice:
    granted = app.decision == Application.Decision.GRANTED
    head = _(
        "您于%(day)s提出的“%(item)s”申请（办件编号 %(number)s），本机关于%(accepted)s受理。"
    ) % {
        "day": day(app.received_at),
        "item": app.item.name,
        "number": app.number,
        "accepted": day(app.accepted_at),
    }
    item = app.item
    if granted and item.is_licensing:
        lines = [
            head,
            _(
                "经审查，申请符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条第一款的"
                "规定，决定准予行政许可。"
            ),
            _("审批结果：%(result)s。") % {"result": item.result_name},
        ]
    elif granted:
        lines = [
            head,
            _("经审查，根据%(basis)s的规定，准予办理%(item)s。")
            % {"basis": item.basis(_("第三十八条第一款")), "item": item.name},
            _("办理结果：%(result)s。") % {"result": item.result_name},
        ]
    else:
        if item.is_licensing:
            denied = _(
                "经审查，根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可。"
            )
        else:
            denied = _("经审查，根据%(basis)s的规定，决定不予办理%(item)s。") % {
                "basis": item.basis(_("第三十八条第二款")),
                "item": item.name,
            }
        lines = [
            head,
            denied,
            _("理由：%(reason)s") % {"reason": app.decision_reason},
            item.remedies,
        ]
    kind = Notice.Kind.GRANT if granted else Notice.Kind.DENIAL
    return issue(app, kind, lines, actor=actor, at=at)


def letter(notice: Notice) -> Letter:
    app = notice.application
    department = app.item.department
    opening, *rest = notice.body
    return Letter(
        issuer=department.name,
        title=notice.title,
        blocks=[Block(text) for text in rest],
        signer=department.name,
        date=timezone.localtime(notice.issued_at).date(),
        number=notice.number,
        recipient=opening.rstrip("："),
        footer=_("监督投诉电话：%(phone)s") % {"phone": app.item.complaint_phone},
    )


def render(notice: Notice, fmt: str) -> bytes:
    if fmt == "docx":
        return render_docx(letter(notice))
    return render_pdf(render_html(letter(notice)))
