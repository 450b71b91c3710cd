"""Every change to a disclosure request, each on the reply clock of 条例第三十三条.

One action per step: it checks the actor's permission, validates, locks the request (a second
concurrent submission sees the first one's effect), writes the change, its public step, the clock
events and the audit record in one transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sunshine.appeals import actions as appeals
from sunshine.appeals.models import Appeal, AppealType
from sunshine.audit.actions import record, snapshot
from sunshine.clocks import actions as clocks
from sunshine.clocks.models import Clock, PauseReason, State, Unit
from sunshine.core.numbers import digest_query_code, make_query_code, next_number
from sunshine.errors import ActionError
from sunshine.org.models import Department
from sunshine.org.permissions import require
from sunshine.publishing.actions import create_draft_from_request
from sunshine.publishing.models import Publication
from sunshine.workdays.calendar import workdays_between

from . import letters, mail
from .fees import FeeMethod, per_page_fee, per_request_fee
from .models import Attachment, Consultation, Remedy, ReplyEmail, Request, Step
from .outcomes import BY_CODE, DECIDABLE

REPLY_DAYS = 20  # 第三十三条第二款
EXTENSION_MAX = 20  # 第三十三条第二款
CORRECTION_NOTICE_DAYS = 7  # 第三十条
CONSULTATION_DAYS = 15  # 第三十二条、第三十四条
PAYMENT_DAYS = 20  # 国办函〔2020〕109号
REPLY_BASIS = "《政府信息公开条例》第三十三条"
REPLY_EMAIL_ATTEMPTS = 5  # then staff deliver the reply another way
# Between two attempts: five tries over about an hour ride out a relay's restart.
REPLY_EMAIL_PAUSE = timedelta(minutes=10)

REPLY, CORRECTION, CONSULTATION, PAYMENT = (
    "foi.reply",
    "foi.correction",
    "foi.consult",
    "foi.payment",
)
FIELDS = ["state", "outcome", "draft_outcome", "received_on", "closed_on", "extended", "fee_amount"]

REQUEST_FIELDS = (
    "applicant_type",
    "applicant_name",
    "id_kind",
    "id_number",
    "phone",
    "address",
    "email",
    "info_title",
    "info_number",
    "description",
    "form",
    "delivery",
    "purpose",
)


@dataclass(frozen=True)
class Filed:
    request: Request
    query_code: str  # shown once to the applicant; only its digest is stored


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _lock(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


def _expect(request: Request, *states: str) -> None:
    if request.state not in states:
        raise ActionError(
            _("该申请当前状态为“{state}”，不能办理此环节，请刷新页面。").format(
                state=request.get_state_display()
            )
        )


def _step(
    request: Request,
    at: datetime,
    title: str,
    note: str = "",
    *,
    actor: Any = None,
    public: bool = True,
) -> None:
    Step.objects.create(
        request=request,
        at=at,
        title=title,
        note=note,
        public=public,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def clock_of(obj: models.Model, kind: str) -> Clock | None:
    """The latest clock of that kind on the object (a second 补正 starts a second one)."""
    return (
        Clock.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), kind=kind
        )
        .order_by("-pk")
        .first()
    )


def _save(actor: Any, verb: str, request: Request, before: dict) -> None:
    request.save()
    record(actor, verb, request, before=before, after=snapshot(request, FIELDS))


# --- filing and receipt (第二十九条, 第三十一条) -------------------------------------------------


def take_number(organisation: Department, year: int) -> str:
    """The next 受理编号 of the agency's year, gap-free (SLS-SWJ-2026-00005)."""
    serial = next_number(f"foi:{organisation.code}:{year}")
    return f"{organisation.code}-{year}-{serial:05d}"


def _check_delivery(data: dict[str, Any]) -> None:
    """The form and the way of delivery chosen (第二十九条) must be able to reach the applicant:
    otherwise the office has a reply and nowhere to send it."""
    form = data.get("form") or Request.Form.EMAIL
    delivery = data.get("delivery") or Request.Channel.ONLINE
    if form == Request.Form.EMAIL:
        try:
            validate_email((data.get("email") or "").strip())
        except ValidationError:
            raise ActionError(
                _("以电子邮件形式提供的，请填写有效的电子邮箱。"), field="email"
            ) from None
        if delivery != Request.Channel.ONLINE:
            raise ActionError(_("以电子邮件形式提供的，获取方式请选择“网络”。"), field="delivery")
    elif delivery == Request.Channel.ONLINE:
        raise ActionError(
            _("纸面、光盘、磁盘不能通过网络获取，请选择邮寄、当面或传真，或改为电子邮件。"),
            field="delivery",
        )
    elif delivery == Request.Channel.FAX and form != Request.Form.PAPER:
        raise ActionError(_("光盘、磁盘不能传真，请选择邮寄或当面获取。"), field="delivery")
    if delivery == Request.Channel.POST and not (data.get("address") or "").strip():
        raise ActionError(_("邮寄获取的，请填写通信地址。"), field="address")


def _new_request(
    organisation: Department, data: dict[str, Any], *, channel: str, at: datetime, applicant: Any
) -> Filed:
    if organisation.kind == Department.Kind.SECTION or not organisation.is_active:
        raise ActionError(_("请选择受理申请的行政机关。"), field="organisation")
    if not (data.get("info_title") or "").strip():
        raise ActionError(_("请填写所需政府信息的名称。"), field="info_title")
    _check_delivery(data)
    code = make_query_code()
    request = Request.objects.create(
        number=take_number(organisation, timezone.localtime(at).year),
        query_digest=digest_query_code(code),
        organisation=organisation,
        applicant=applicant,
        channel=channel,
        submitted_at=at,
        **{name: (data.get(name) or "").strip() for name in REQUEST_FIELDS if name in data},
    )
    return Filed(request, code)


def submit_request(
    actor: Any, organisation: Department, data: dict[str, Any], *, at: datetime | None = None
) -> Filed:
    """An application made online (第二十九条); received when staff confirm it
    (第三十一条第三项)."""
    require(actor, "foi.submit", organisation)
    at = _now(at)
    with transaction.atomic():
        filed = _new_request(
            organisation, data, channel=Request.Channel.ONLINE, at=at, applicant=actor
        )
        _step(
            filed.request, at, _("提交申请"), _("申请已提交，等待受理机关确认收到。"), actor=actor
        )
        record(actor, "foi.submit", filed.request, after=snapshot(filed.request, FIELDS))
    return filed


def register_request(
    actor: Any,
    organisation: Department,
    data: dict[str, Any],
    *,
    channel: str,
    received_on: date,
    at: datetime | None = None,
) -> Filed:
    """An application handed in, posted or faxed, entered by staff with its receipt date:
    the day handed in, the day the registered letter was signed for, the day the fax was
    confirmed (第三十一条)."""
    require(actor, "foi.staff", organisation)
    at = _now(at)
    if channel not in (Request.Channel.IN_PERSON, Request.Channel.POST, Request.Channel.FAX):
        raise ActionError(_("请选择申请渠道：当面、邮寄或传真。"), field="channel")
    if received_on > timezone.localtime(at).date():
        raise ActionError(_("收到申请的日期不能晚于今天。"), field="received_on")
    with transaction.atomic():
        filed = _new_request(organisation, data, channel=channel, at=at, applicant=None)
        _receive(actor, filed.request, received_on, at)
        record(actor, "foi.register", filed.request, after=snapshot(filed.request, FIELDS))
    return filed


def _start_of(day: date, at: datetime) -> datetime:
    """The moment the clock starts: `at` if it is that day, else the morning of the day."""
    if timezone.localtime(at).date() == day:
        return at
    return datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())


def _receive(actor: Any, request: Request, received_on: date, at: datetime) -> None:
    request.received_on = received_on
    request.state = Request.State.PROCESSING
    request.save()
    clocks.start_clock(
        request,
        kind=REPLY,
        title=_("依申请公开答复 {number}").format(number=request.number),
        department=request.organisation,
        limit=REPLY_DAYS,
        unit=Unit.WORKDAYS,
        at=_start_of(received_on, at),
        legal_basis=REPLY_BASIS,
        note=_("收到申请"),
        actor=actor,
    )
    _step(
        request,
        at,
        _("受理"),
        _("收到申请日期：{day}，受理编号：{number}。").format(
            day=received_on, number=request.number
        ),
        actor=actor,
    )


def confirm_receipt(actor: Any, request: Request, *, at: datetime | None = None) -> Request:
    """第三十一条第三项: an online application is received on the day staff confirm it."""
    require(actor, "foi.handle", request)
    at = _now(at)
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.SUBMITTED)
        before = snapshot(request, FIELDS)
        _receive(actor, request, timezone.localtime(at).date(), at)
        _save(actor, "foi.confirm_receipt", request, before)
    return request


# --- 补正 (第三十条) ---------------------------------------------------------------------------


def _last_start(request: Request) -> date:
    """Receipt, or the arrival of the last correction: the 7 working days count from there."""
    clock = clock_of(request, REPLY)
    restarts = clock.events.filter(kind="restart").order_by("-seq").first()
    moment = restarts.at if restarts else clock.started_at
    return timezone.localtime(moment).date()


def send_correction_notice(
    actor: Any, request: Request, *, items: str, days: int, at: datetime | None = None
) -> Request:
    """One notice listing everything to correct, within 7 working days of receipt, with a
    deadline; the reply clock stops until the corrected application arrives (第三十条)."""
    require(actor, "foi.handle", request)
    at = _now(at)
    if not items.strip():
        raise ActionError(_("请一次性列明需要补正的全部事项。"), field="items")
    if not 1 <= days <= 30:
        raise ActionError(_("补正期限应为1至30个工作日。"), field="days")
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.PROCESSING)
        start = _last_start(request)
        spent = workdays_between(start, timezone.localtime(at).date())
        if spent > CORRECTION_NOTICE_DAYS:
            raise ActionError(
                _(
                    "补正告知须在收到申请之日起7个工作日内发出（条例第三十条），"
                    "自{day}起已过{spent}个工作日。"
                ).format(day=start, spent=spent)
            )
        before = snapshot(request, FIELDS)
        clocks.pause_clock(
            clock_of(request, REPLY),
            reason=PauseReason.CORRECTION,
            actor=actor,
            at=at,
            note=_("补正告知"),
        )
        deadline = clocks.start_clock(
            request,
            kind=CORRECTION,
            title=_("申请人补正 {number}").format(number=request.number),
            department=request.organisation,
            limit=days,
            unit=Unit.WORKDAYS,
            at=at,
            legal_basis="《政府信息公开条例》第三十条",
            note=_("发出补正告知"),
            actor=actor,
        )
        request.state = Request.State.CORRECTION
        request.corrections += 1
        _step(
            request,
            at,
            _("补正告知"),
            _(
                "需要补正的事项：{items}\n请于{due}前补正，逾期无正当理由不补正的，视为放弃申请。"
            ).format(items=items.strip(), due=deadline.due_label),
            actor=actor,
        )
        _save(actor, "foi.correction_notice", request, before)
    return request


def submit_correction(
    actor: Any, request: Request, *, text: str, at: datetime | None = None
) -> Request:
    """The corrected application arrives: the 20 working days count afresh from today."""
    require(actor, "foi.correct", request)
    at = _now(at)
    if not text.strip():
        raise ActionError(_("请填写补正内容。"), field="text")
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.CORRECTION)
        deadline = clock_of(request, CORRECTION)
        if deadline.due_at is not None and deadline.due_at <= at:
            raise ActionError(_("已超过补正期限，申请视为放弃；如仍需要该信息，请重新提出申请。"))
        before = snapshot(request, FIELDS)
        clocks.stop_clock(deadline, outcome=_("已补正"), actor=actor, at=at)
        clocks.restart_clock(
            clock_of(request, REPLY), actor=actor, at=at, note=_("收到补正后的申请")
        )
        request.description = f"{request.description}\n【补正】{text.strip()}".strip()
        request.state = Request.State.PROCESSING
        _step(request, at, _("收到补正"), text.strip(), actor=actor)
        _save(actor, "foi.correction", request, before)
    return request


def _close_when_lapsed(
    actor: Any,
    request: Request,
    *,
    state: str,
    kind: str,
    refusal: str,
    stopped: str,
    outcome: str,
    note: str,
    at: datetime | None,
) -> Request:
    """Close as abandoned once the applicant's own deadline has run out, and not before."""
    require(actor, "foi.handle", request)
    at = _now(at)
    with transaction.atomic():
        request = _lock(request)
        _expect(request, state)
        deadline = clock_of(request, kind)
        if deadline.due_at > at:
            raise ActionError(refusal.format(due=deadline.due_label))
        clocks.stop_clock(deadline, outcome=stopped, actor=actor, at=at)
        _close(actor, request, outcome, at, note)
    return request


def close_for_no_correction(actor: Any, request: Request, *, at: datetime | None = None) -> Request:
    """No correction by the deadline without good reason: treated as abandoned (其他处理 1)."""
    return _close_when_lapsed(
        actor,
        request,
        state=Request.State.CORRECTION,
        kind=CORRECTION,
        refusal=_("补正期限至{due}，期限届满前不能按逾期不补正处理。"),
        stopped=_("逾期未补正"),
        outcome="no_correction",
        note=_("申请人逾期未补正，视为放弃申请。"),
        at=at,
    )


# --- consultation (第三十二条, 第三十四条) ------------------------------------------------------


def start_consultation(
    actor: Any,
    request: Request,
    *,
    kind: str,
    party: str,
    question: str,
    at: datetime | None = None,
) -> Consultation:
    """Ask a third party or another agency in writing; the time does not count
    (第三十三条第三款)."""
    require(actor, "foi.handle", request)
    at = _now(at)
    if kind not in Consultation.Kind.values:
        raise ActionError(_("请选择征求意见的类别。"), field="kind")
    if not party.strip() or not question.strip():
        raise ActionError(_("请填写征求对象和征求事项。"), field="party")
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.PROCESSING)
        before = snapshot(request, FIELDS)
        reason = PauseReason.THIRD_PARTY if kind == "third_party" else PauseReason.OTHER_AGENCY
        clocks.pause_clock(
            clock_of(request, REPLY), reason=reason, actor=actor, at=at, note=party.strip()[:100]
        )
        consultation = Consultation.objects.create(
            request=request, kind=kind, party=party.strip(), question=question.strip(), sent_at=at
        )
        answer_by = clocks.start_clock(
            consultation,
            kind=CONSULTATION,
            title=_("{kind}：{party}").format(kind=consultation.get_kind_display(), party=party),
            department=request.organisation,
            limit=CONSULTATION_DAYS,
            unit=Unit.WORKDAYS,
            at=at,
            legal_basis=_("《政府信息公开条例》第三十二条、第三十四条"),
            actor=actor,
        )
        request.state = Request.State.CONSULTING
        _step(
            request,
            at,
            consultation.get_kind_display(),
            _("已书面征求意见，对方应于{due}前答复；征求意见时间不计入答复期限。").format(
                due=answer_by.due_label
            ),
            actor=actor,
        )
        _save(actor, "foi.consult", request, before)
    return consultation


def record_consultation_answer(
    actor: Any,
    consultation: Consultation,
    *,
    position: str,
    answer: str,
    at: datetime | None = None,
) -> Consultation:
    """Record the answer (or the silence after 15 working days) and let the reply clock run on."""
    require(actor, "foi.handle", consultation.request)
    at = _now(at)
    if position not in Consultation.Position.values:
        raise ActionError(_("请选择对方意见。"), field="position")
    with transaction.atomic():
        request = _lock(consultation.request)
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.answered_at is not None:
            raise ActionError(_("该征求意见已记录答复，请刷新页面。"))
        answer_by = clock_of(consultation, CONSULTATION)
        if position == Consultation.Position.SILENT and answer_by.due_at > at:
            raise ActionError(
                _("答复期限至{due}，期限届满前不能按逾期未答复处理。").format(
                    due=answer_by.due_label
                )
            )
        if position != Consultation.Position.SILENT and not answer.strip():
            raise ActionError(_("请记录对方的答复意见。"), field="answer")
        before = snapshot(request, FIELDS)
        consultation.position, consultation.answer, consultation.answered_at = (
            position,
            answer.strip(),
            at,
        )
        consultation.save()
        clocks.stop_clock(
            answer_by, outcome=consultation.get_position_display(), actor=actor, at=at
        )
        clocks.resume_clock(
            clock_of(request, REPLY), actor=actor, at=at, note=_("收到征求意见答复")
        )
        request.state = Request.State.PROCESSING
        _step(
            request,
            at,
            _("征求意见答复"),
            _("{party}：{position}。").format(
                party=consultation.party, position=consultation.get_position_display()
            ),
            actor=actor,
        )
        _save(actor, "foi.consult_answer", request, before)
    return consultation


# --- extension (第三十三条第二款) ----------------------------------------------------------------


def extend_reply(
    actor: Any, request: Request, *, days: int, reason: str, at: datetime | None = None
) -> Request:
    """At most 20 more working days, once, approved by the head of the disclosure office, and
    the applicant is told."""
    require(actor, "foi.extend", request)
    at = _now(at)
    if not 1 <= days <= EXTENSION_MAX:
        raise ActionError(_("延长期限最长不超过20个工作日。"), field="days")
    if not reason.strip():
        raise ActionError(_("请说明延期理由。"), field="reason")
    with transaction.atomic():
        request = _lock(request)
        _expect(
            request,
            Request.State.PROCESSING,
            Request.State.CONSULTING,
            Request.State.PAYMENT,
            Request.State.LEGAL_REVIEW,
            Request.State.APPROVED,
        )
        if request.extended:
            raise ActionError(_("答复期限只能延长一次。"))
        reply = clock_of(request, REPLY)
        if reply.state == State.RUNNING and reply.due_at <= at:
            raise ActionError(_("答复期限已届满，不能再延期。"))
        before = snapshot(request, FIELDS)
        reply = clocks.extend_clock(
            reply, amount=days, approver=actor, actor=actor, at=at, note=reason.strip()[:200]
        )
        request.extended = True
        due = reply.due_label or _("恢复计时后重新计算")
        _step(
            request,
            at,
            _("延长答复期限"),
            _(
                "经政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，至{due}。理由：{reason}"
            ).format(days=days, due=due, reason=reason.strip()),
            actor=actor,
        )
        _save(actor, "foi.extend", request, before)
    return request


# --- fees (国办函〔2020〕109号) -------------------------------------------------------------------


def nth_request_this_month(request: Request) -> int:
    """Which of the applicant's requests this is in its calendar month, by receipt (第四条)."""
    first = request.received_on.replace(day=1)
    same = Request.objects.filter(
        id_number=request.id_number, received_on__gte=first, received_on__lte=request.received_on
    )
    earlier = same.filter(received_on__lt=request.received_on).count()
    return earlier + same.filter(received_on=request.received_on, pk__lte=request.pk).count()


def fee_for(request: Request, method: str, pages: int | None) -> int:
    if method == FeeMethod.PER_REQUEST:
        if pages is not None:
            raise ActionError(_("按件计收不再按页数计费，二者只能选其一。"), field="pages")
        return per_request_fee(nth_request_this_month(request))
    if method == FeeMethod.PER_PAGE:
        if pages is None or pages < 0:
            raise ActionError(_("按量计收请填写页数。"), field="pages")
        return per_page_fee(pages)
    raise ActionError(_("请选择计收方式。"), field="method")


def send_fee_notice(
    actor: Any,
    request: Request,
    *,
    method: str,
    pages: int | None = None,
    at: datetime | None = None,
) -> Request:
    """A 收费通知 within the reply period; the clock waits until payment, 20 working days."""
    require(actor, "foi.handle", request)
    at = _now(at)
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.PROCESSING)
        if request.fee_method:
            raise ActionError(_("该申请已发出收费通知，一件申请只能按一种方式收费一次。"))
        amount = fee_for(request, method, pages)
        if amount == 0:
            raise ActionError(_("按收费标准，该申请无需收取信息处理费。"))
        before = snapshot(request, FIELDS)
        clocks.pause_clock(clock_of(request, REPLY), reason=PauseReason.PAYMENT, actor=actor, at=at)
        pay_by = clocks.start_clock(
            request,
            kind=PAYMENT,
            title=_("缴纳信息处理费 {number}").format(number=request.number),
            department=request.organisation,
            limit=PAYMENT_DAYS,
            unit=Unit.WORKDAYS,
            at=at,
            legal_basis="《政府信息公开信息处理费管理办法》",
            actor=actor,
        )
        request.fee_method, request.fee_amount = method, amount
        request.state = Request.State.PAYMENT
        _step(
            request,
            at,
            _("收费通知"),
            _("{method}，应缴信息处理费 {amount} 元，请于{due}前缴纳，逾期视为放弃申请。").format(
                method=request.get_fee_method_display(), amount=amount, due=pay_by.due_label
            ),
            actor=actor,
        )
        _save(actor, "foi.fee_notice", request, before)
    return request


def record_payment(actor: Any, request: Request, *, at: datetime | None = None) -> Request:
    require(actor, "foi.handle", request)
    at = _now(at)
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.PAYMENT)
        pay_by = clock_of(request, PAYMENT)
        if pay_by.due_at <= at:
            raise ActionError(_("已超过缴费期限，申请视为放弃。"))
        before = snapshot(request, FIELDS)
        clocks.stop_clock(pay_by, outcome=_("已缴费"), actor=actor, at=at)
        clocks.resume_clock(clock_of(request, REPLY), actor=actor, at=at, note=_("已缴费"))
        request.fee_paid_on = timezone.localtime(at).date()
        request.state = Request.State.PROCESSING
        _step(request, at, _("缴费"), _("已缴纳信息处理费。"), actor=actor)
        _save(actor, "foi.payment", request, before)
    return request


def close_for_nonpayment(actor: Any, request: Request, *, at: datetime | None = None) -> Request:
    """Unpaid 20 working days after the notice: treated as abandoned (其他处理 2)."""
    return _close_when_lapsed(
        actor,
        request,
        state=Request.State.PAYMENT,
        kind=PAYMENT,
        refusal=_("缴费期限至{due}，期限届满前不能按逾期未缴费处理。"),
        stopped=_("逾期未缴费"),
        outcome="unpaid",
        note=_("申请人逾期未缴纳信息处理费，视为放弃申请。"),
        at=at,
    )


# --- decision, legal review, reply ---------------------------------------------------------


def submit_decision(
    actor: Any,
    request: Request,
    *,
    outcome: str,
    reply_text: str,
    other_agency: str = "",
    files: list | None = None,
    at: datetime | None = None,
) -> Request:
    """The draft reply goes to the legal section (合法性审查) before it is sent."""
    require(actor, "foi.handle", request)
    at = _now(at)
    if outcome not in {o.code for o in DECIDABLE}:
        raise ActionError(_("请从年度报告格式列明的情形中选择办理结果。"), field="outcome")
    if not reply_text.strip():
        raise ActionError(_("请填写答复内容。"), field="reply_text")
    if outcome in ("disclose", "partial") and not (files or request.attachments.exists()):
        raise ActionError(_("予以公开或部分公开的，请上传公开的政府信息。"), field="files")
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.PROCESSING)
        before = snapshot(request, FIELDS)
        request.draft_outcome, request.reply_text = outcome, reply_text.strip()
        request.other_agency = other_agency.strip()
        request.state = Request.State.LEGAL_REVIEW
        for upload in files or []:
            Attachment.objects.create(request=request, file=upload, name=upload.name)
        _step(
            request,
            at,
            _("拟定答复"),
            _("拟办结果：{label}").format(label=BY_CODE[outcome].label),
            actor=actor,
            public=False,
        )
        _save(actor, "foi.decide", request, before)
    return request


def review_decision(
    actor: Any, request: Request, *, approve: bool, opinion: str, at: datetime | None = None
) -> Request:
    require(actor, "foi.legal_review", request)
    at = _now(at)
    if not approve and not opinion.strip():
        raise ActionError(_("退回修改时请填写审查意见。"), field="opinion")
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.LEGAL_REVIEW)
        before = snapshot(request, FIELDS)
        request.legal_opinion = opinion.strip() or _("经审查，答复合法。")
        request.legal_reviewer = actor
        request.state = Request.State.APPROVED if approve else Request.State.PROCESSING
        note = _("通过：{opinion}") if approve else _("退回修改：{opinion}")
        _step(
            request,
            at,
            _("合法性审查"),
            note.format(opinion=request.legal_opinion),
            actor=actor,
            public=False,
        )
        _save(actor, "foi.legal_review", request, before)
    return request


def _close(actor: Any, request: Request, outcome: str, at: datetime, note: str) -> None:
    before = snapshot(request, FIELDS)
    label = str(BY_CODE[outcome].label)
    clocks.stop_clock(clock_of(request, REPLY), outcome=label[:64], actor=actor, at=at)
    request.outcome = outcome
    request.closed_on = timezone.localtime(at).date()
    request.state = Request.State.CLOSED
    _step(request, at, _("办结"), note, actor=actor)
    _save(actor, "foi.close", request, before)


def send_reply(actor: Any, request: Request, *, at: datetime | None = None) -> Request:
    """Sign and send the reply letter (.docx and PDF), stop the clock with the outcome. Asked
    for by e-mail, the letter is also e-mailed: queued here, sent by a task once this commits
    (a rolled-back reply sends nothing)."""
    require(actor, "foi.handle", request)
    at = _now(at)
    with transaction.atomic():
        request = _lock(request)
        _expect(request, Request.State.APPROVED)
        rendered = letters.reply_letter(request, timezone.localtime(at).date())
        request.letter_docx.save(f"{request.number}.docx", ContentFile(rendered.docx), save=False)
        request.letter_pdf.save(f"{request.number}.pdf", ContentFile(rendered.pdf), save=False)
        label = BY_CODE[request.draft_outcome].label
        by_email = request.form == Request.Form.EMAIL
        note = (
            _("已作出答复：{label}。答复书可下载，并通过电子邮件发送。")
            if by_email
            else _("已作出答复：{label}。答复书可下载。")
        )
        _close(actor, request, request.draft_outcome, at, note.format(label=label))
        if by_email:
            _queue_reply_email(actor, request, at)
    return request


def _queue_reply_email(actor: Any, request: Request, at: datetime) -> None:
    from .tasks import send_reply_email

    # The applicant's page, linked when the site's public address is configured: the host an
    # officer reaches the site on (the intranet's) is often not one a citizen can open.
    site = settings.PUBLIC_SITE_URL.rstrip("/")
    page = reverse("foi:detail", args=[request.pk])
    email = ReplyEmail.objects.create(
        request=request, to=request.email, page_url=f"{site}{page}" if site else "", queued_at=at
    )
    record(actor, "foi.reply_email_queued", request, after={"to": email.to})
    transaction.on_commit(partial(send_reply_email.enqueue, email.pk))


def deliver_reply_email(pk: int, *, at: datetime | None = None) -> bool:
    """Send a queued reply e-mail unless it went out already, was tried within the last
    REPLY_EMAIL_PAUSE, or has failed too often; record the outcome on the request's history and
    in the audit log. Returns whether it was sent.

    The attempt is claimed in a transaction of its own and the message handed over outside any:
    a slow relay must not hold the database (on SQLite, every writer) for the length of an SMTP
    session. The claim keeps a second worker, or the retry tick, from sending it again; a
    worker that dies after handing it over leaves the row unsent, so it is tried again after the
    pause, under the same Message-ID, by which mail servers drop the repeat."""
    at = _now(at)
    ready = Q(tried_at__isnull=True) | Q(tried_at__lte=at - REPLY_EMAIL_PAUSE)
    with transaction.atomic():
        claimed = (
            ReplyEmail.objects.filter(ready, pk=pk, sent_at__isnull=True)
            .filter(attempts__lt=REPLY_EMAIL_ATTEMPTS)
            .update(attempts=F("attempts") + 1, tried_at=at)
        )
    if not claimed:
        return False
    email = ReplyEmail.objects.select_related("request").get(pk=pk)
    request = email.request
    try:
        message, files_attached = mail.reply_message(email)
        message.send()
    except Exception as error:  # noqa: BLE001 -- any failure of storage or relay is recorded
        with transaction.atomic():
            email.error = f"{type(error).__name__}: {error}"[:255]
            email.save(update_fields=["error"])
            _step(
                request,
                at,
                _("电子邮件发送失败"),
                _("答复书发送至{to}失败（第{n}次）：{error}").format(
                    to=email.to, n=email.attempts, error=email.error
                ),
                public=False,
            )
            record(
                None,
                "foi.reply_email_failed",
                request,
                after={"to": email.to, "attempts": email.attempts, "error": email.error},
            )
        return False
    with transaction.atomic():
        email.sent_at, email.error, email.files_attached = at, "", files_attached
        email.save(update_fields=["sent_at", "error", "files_attached"])
        _step(
            request,
            at,
            _("电子邮件送达"),
            _("答复书已通过电子邮件发送至申请人填写的电子邮箱。")
            if files_attached or not request.attachments.exists()
            else _(
                "答复书已通过电子邮件发送至申请人填写的电子邮箱；"
                "公开的政府信息文件较大，请在本页下载。"
            ),
        )
        record(
            None,
            "foi.reply_emailed",
            request,
            after={"to": email.to, "attempts": email.attempts, "files": files_attached},
        )
    return True


# --- seams and remedies --------------------------------------------------------------------


def refer_to_hotline(
    actor: Any, request: Request, *, appeal_type: str = AppealType.COMPLAINT
) -> tuple[Appeal, str]:
    """条例第三十九条: a complaint or petition filed as a request becomes a 12345 case through the
    platform's intake; the request links it. Returns the case and its query code (shown once)."""
    require(actor, "foi.handle", request)
    with transaction.atomic():
        request = _lock(request)
        if request.draft_outcome != "petition" or request.state not in (
            Request.State.APPROVED,
            Request.State.CLOSED,
        ):
            raise ActionError(
                _("只有经合法性审查、按“信访举报投诉类申请”处理的申请才能转为12345工单。")
            )
        if request.complaint_case_id:
            raise ActionError(_("该申请已转为12345工单，请刷新页面。"))
        body = "\n".join(filter(None, [request.info_title, request.description]))
        appeal, code = appeals.receive_referral(
            actor,
            request.organisation,
            reference=request.number,
            source_name=_("{agency}政府信息公开申请").format(agency=request.organisation.name)[:64],
            type=appeal_type,
            title=request.info_title,
            body=body,
            contact_name=request.applicant_name[:64],
            phone=request.phone,
            email=request.email,
            place=request.address[:200],
            citizen=request.applicant,
        )
        request.complaint_case = appeal
        request.save(update_fields=["complaint_case"])
        _step(
            request,
            timezone.now(),
            _("转12345热线办理"),
            _("按信访、举报、投诉类事项转12345热线办理，工单编号：{serial}。").format(
                serial=appeal.serial
            ),
            actor=actor,
        )
        record(
            actor, "foi.refer_to_hotline", request, before={}, after={"complaint_case": appeal.pk}
        )
    return appeal, code


def publish_proactively(
    actor: Any, requests: list[Request], *, title: str, body: str
) -> Publication:
    """条例第四十四条: information several applicants asked for becomes a draft for proactive
    publication; every request it answers links the draft."""
    if not requests:
        raise ActionError(_("请选择申请。"))
    for request in requests:
        require(actor, "foi.handle", request)
    if len({r.organisation_id for r in requests}) != 1:
        raise ActionError(_("只能将同一机关收到的申请一并转为主动公开。"), field="others")
    if not title.strip():
        raise ActionError(_("请填写主动公开信息的标题。"), field="title")
    if not body.strip():
        raise ActionError(_("请填写主动公开信息的正文。"), field="body")
    with transaction.atomic():
        locked = list(
            Request.objects.select_for_update()
            .filter(pk__in=[r.pk for r in requests])
            .order_by("pk")
        )
        linked = [r.number for r in locked if r.proactive_publication_id]
        if linked:
            raise ActionError(
                _("申请{numbers}已转为主动公开，请刷新页面。").format(numbers="、".join(linked))
            )
        first = locked[0]
        reference = first.number if len(locked) == 1 else f"{first.number}等{len(locked)}件"
        draft = create_draft_from_request(
            actor,
            organisation=first.organisation,
            title=title.strip(),
            body=body.strip(),
            request_reference=reference[:64],
        )
        now = timezone.now()
        for request in locked:
            request.proactive_publication = draft
            request.save(update_fields=["proactive_publication"])
            _step(
                request,
                now,
                _("转为主动公开"),
                _("申请公开的信息已列入主动公开，草稿“{title}”待审核发布。").format(
                    title=draft.title
                ),
                actor=actor,
                public=False,
            )
            record(
                actor,
                "foi.publish_proactively",
                request,
                before={},
                after={"proactive_publication": draft.pk},
            )
    return draft


def record_delivery(
    actor: Any,
    request: Request,
    *,
    how: str,
    delivered_on: date,
    note: str = "",
    at: datetime | None = None,
) -> Request:
    """The reply delivered by post, by hand or by fax, as the officer records it: how, the day,
    and the 邮寄单号 or who signed for it; on the applicant's history too. Once: a wrong record
    is for the audit trail, not to be overwritten. An e-mailed reply records itself; only once
    its e-mail has given up is it delivered another way and recorded here."""
    require(actor, "foi.handle", request)
    at = _now(at)
    note = note.strip()
    if how not in Request.Channel.values or how == Request.Channel.ONLINE:
        raise ActionError(_("请选择送达方式：邮寄、当面或传真。"), field="how")
    if delivered_on > timezone.localtime(at).date():
        raise ActionError(_("送达日期不能晚于今天。"), field="delivered_on")
    with transaction.atomic():
        request = _lock(request)
        if request.state != Request.State.CLOSED or not request.letter_pdf:
            raise ActionError(_("答复书签发后才能登记送达。"))
        if request.delivered_on:
            raise ActionError(_("已登记送达，请刷新页面。"))
        if not delivered_otherwise(request):
            raise ActionError(_("答复书正在或已经通过电子邮件发送，无需另行登记送达。"))
        if delivered_on < request.closed_on:
            raise ActionError(_("送达日期不能早于答复书签发日期。"), field="delivered_on")
        request.delivered_on, request.delivered_by = delivered_on, how
        request.delivery_note = note
        request.save(update_fields=["delivered_on", "delivered_by", "delivery_note"])
        text = _("答复书已于{day}送达（{how}）。").format(
            day=date_format(delivered_on, "DATE_FORMAT"), how=request.get_delivered_by_display()
        )
        _step(request, at, _("送达"), f"{text}{note}" if note else text, actor=actor)
        record(
            actor, "foi.delivered", request, after={"on": delivered_on, "how": how, "note": note}
        )
    return request


def delivered_otherwise(request: Request) -> bool:
    """Whether the reply is delivered by the officer (and recorded so): asked for on paper or
    the like, or asked for by e-mail whose sending has given up."""
    if request.form != Request.Form.EMAIL:
        return True
    email = ReplyEmail.objects.filter(request=request).first()
    return email is None or (email.sent_at is None and email.attempts >= REPLY_EMAIL_ATTEMPTS)


def record_remedy(
    actor: Any, request: Request, *, kind: str, filed_on: date, note: str = ""
) -> Remedy:
    """A 行政复议 or 行政诉讼 about the reply, for section 四 of the annual report."""
    require(actor, "foi.handle", request)
    if kind not in Remedy.Kind.values:
        raise ActionError(_("请选择复议或诉讼类别。"), field="kind")
    if filed_on > timezone.localdate():
        raise ActionError(_("受理日期不能晚于今天。"), field="filed_on")
    with transaction.atomic():
        request = _lock(request)
        if request.state != Request.State.CLOSED:
            raise ActionError(_("只能对已办结的申请记录行政复议或行政诉讼。"))
        if filed_on < request.closed_on:
            raise ActionError(_("受理日期不能早于申请办结日期。"), field="filed_on")
        remedy = Remedy.objects.create(
            request=request, kind=kind, filed_on=filed_on, note=note.strip()
        )
        record(actor, "foi.remedy", remedy, after=snapshot(remedy, ["kind", "filed_on", "result"]))
    return remedy


def decide_remedy(actor: Any, remedy: Remedy, *, result: str, decided_on: date) -> Remedy:
    require(actor, "foi.handle", remedy.request)
    if result not in Remedy.Result.values or result == Remedy.Result.PENDING:
        raise ActionError(_("请选择审结结果：维持、纠正或其他。"), field="result")
    with transaction.atomic():
        remedy = Remedy.objects.select_for_update().get(pk=remedy.pk)
        if remedy.result != Remedy.Result.PENDING:
            raise ActionError(_("该案件已审结，请刷新页面。"))
        if decided_on > timezone.localdate():
            raise ActionError(_("审结日期不能晚于今天。"), field="decided_on")
        if decided_on < remedy.filed_on:
            raise ActionError(_("审结日期不能早于受理日期。"), field="decided_on")
        before = snapshot(remedy, ["result", "decided_on"])
        remedy.result, remedy.decided_on = result, decided_on
        remedy.save()
        record(
            actor,
            "foi.remedy_decided",
            remedy,
            before=before,
            after=snapshot(remedy, ["result", "decided_on"]),
        )
    return remedy
