"""The reply letter (政府信息公开申请答复书): outcome, legal basis and the notice of remedies."""

from datetime import date

from django.utils.translation import gettext as _

from sunshine.accounts.validators import mask_mobile
from sunshine.documents import Block, Letter, RenderedLetter, render_letter

from .models import Request
from .outcomes import BY_CODE


def reply_letter(request: Request, on: date) -> RenderedLetter:
    outcome = BY_CODE[request.draft_outcome]
    agency = request.organisation.name
    parent = request.organisation.parent
    blocks = [
        Block(
            _(
                "{name}于{day}提出的政府信息公开申请（受理编号：{number}）收悉。"
                "您申请公开的信息为：“{title}”{doc}。"
            ).format(
                name=request.applicant_name,
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
                law=_("《中华人民共和国政府信息公开条例》")
                if outcome.basis.startswith("第")
                else "",
                basis=outcome.basis,
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
        number=_("依申请公开答复〔{year}〕{number}号").format(year=on.year, number=request.number),
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
