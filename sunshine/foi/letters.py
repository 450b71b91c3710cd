"""The reply letter (政府信息公开申请答复书): outcome, legal basis and the notice of remedies."""

from datetime import date

from django.utils.translation import gettext as _

from sunshine.accounts.validators import mask_mobile
from sunshine.documents import Block, Letter, RenderedLetter, render_letter

from .models import Request
from .outcomes import BY_CODE


def letter_number(request: Request) -> str:
    """发文字号 in the official form 机关代字〔年份〕序号号, from the request's own year and
    serial (``SLS-SWJ-2026-00005`` gives 〔2026〕5号): one number per request, the year once."""
    _code, year, serial = request.number.rsplit("-", 2)
    organisation = request.organisation
    return _("{agency}依申请公开答复〔{year}〕{serial}号").format(
        agency=organisation.short_name or organisation.name, year=year, serial=int(serial)
    )


def legal_basis(request: Request) -> str:
    """The item of 第三十六条 that applies: information this agency does not hold is answered
    under 第（四）项, unless the reply names the agency that holds it (第（五）项)."""
    if request.draft_outcome == "not_held" and request.other_agency:
        return "第三十六条第（五）项"
    return BY_CODE[request.draft_outcome].basis


def reply_letter(request: Request, on: date) -> RenderedLetter:
    outcome = BY_CODE[request.draft_outcome]
    basis = legal_basis(request)
    agency = request.organisation.name
    parent = request.organisation.parent
    blocks = [
        Block(
            # Addressed in the salutation, the applicant is 您 throughout the body.
            _(
                "您于{day}提出的政府信息公开申请（受理编号：{number}）收悉。"
                "您申请公开的信息为：“{title}”{doc}。"
            ).format(
                day=f"{request.received_on.year}年{request.received_on.month}月"
                f"{request.received_on.day}日",
                number=request.number,
                title=request.info_title,
                doc=_("（{number}）").format(number=request.info_number)
                if request.info_number
                else "",
            )
        ),
        Block(_("一、答复意见"), heading=True),
        Block(request.reply_text),
    ]
    if request.other_agency:
        # 第三十六条第（五）项: name the agency responsible for the information.
        blocks.append(
            Block(
                _(
                    "该政府信息不属于本机关负责公开，负责公开该信息的机关及其联系方式为：{agency}。"
                ).format(agency=request.other_agency)
            )
        )
    blocks += [
        Block(_("二、法律依据"), heading=True),
        Block(
            _("根据{law}{basis}的规定，作出上述答复（{label}）。").format(
                law=_("《中华人民共和国政府信息公开条例》") if basis.startswith("第") else "",
                basis=basis,
                label=outcome.label,
            )
        ),
        Block(_("三、救济途径"), heading=True),
        Block(
            _(
                "如对本答复不服，可以自收到本答复之日起60日内依法向{reviewer}申请行政复议，"
                "或者自收到本答复之日起6个月内依法向人民法院提起行政诉讼。"
            ).format(reviewer=parent.name if parent else _("上一级人民政府"))
        ),
    ]
    letter = Letter(
        issuer=agency,
        title=_("政府信息公开申请答复书"),
        number=letter_number(request),
        recipient=request.applicant_name,
        blocks=blocks,
        signer=agency,
        date=on,
        attachments=[a.name for a in request.attachments.all()],
        footer=_("申请人：{name}　证件号码：{id}　联系电话：{phone}").format(
            name=request.applicant_name,
            id=request.masked_id_number,
            phone=mask_mobile(request.phone),
        ),
    )
    return render_letter(letter)
