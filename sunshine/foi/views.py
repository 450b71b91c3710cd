from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sunshine.clocks.queries import Status
from sunshine.core.numbers import check_query_code
from sunshine.core.ratelimit import ratelimit
from sunshine.core.submissions import FIELD, AlreadySubmitted, once
from sunshine.errors import ActionError
from sunshine.org.permissions import can, require

from . import actions, forms, queries
from .models import Consultation, Remedy, ReplyEmail, Request
from .queries import TRACKED, reply_clock, request_for


def _request(filed: actions.Filed) -> Request:
    return filed.request


@require_http_methods(["GET", "POST"])
@ratelimit("public_form")
def apply(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "foi.submit"):
        return render(request, "foi/apply.html", {"track_form": forms.TrackForm()})
    initial = {
        "applicant_type": "natural" if user.kind == user.Kind.CITIZEN else "commercial",
        "applicant_name": user.display_name,
        "id_kind": "resident" if user.kind == user.Kind.CITIZEN else "credit_code",
        "id_number": user.id_number or user.credit_code,
        "phone": user.mobile,
        "email": user.email,
    }
    form = forms.RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key, organisation = data.pop(FIELD), data.pop("organisation")
        try:
            filed = once(
                key, user, lambda: actions.submit_request(user, organisation, data), _request
            )
        except AlreadySubmitted as repeat:
            return render(request, "foi/filed.html", {"repeat": repeat.obj})
        except ActionError as error:
            error.show_on(form)
        else:
            return render(request, "foi/filed.html", {"filed": filed})
    return render(request, "foi/apply.html", {"form": form, "track_form": forms.TrackForm()})


@require_http_methods(["GET", "POST"])
@ratelimit("lookup")
def track(request: HttpRequest) -> HttpResponse:
    form = forms.TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = Request.objects.filter(number=form.cleaned_data["number"].strip()).first()
        if found and check_query_code(form.cleaned_data["code"], found.query_digest):
            tracked = request.session.get(TRACKED, [])
            request.session[TRACKED] = [*tracked, found.pk][-20:]
            return redirect("foi:detail", pk=found.pk)
        form.add_error(None, _("受理编号或查询码不正确。"))
    return render(request, "foi/track.html", {"form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    requests = Request.objects.filter(applicant=request.user).order_by("-submitted_at")
    return render(request, "foi/mine.html", {"requests": requests})


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    foi = request_for(request.user, pk, request.session)
    correction = None
    if foi.state == Request.State.CORRECTION and can(request.user, "foi.correct", foi):
        correction = forms.CorrectionForm(request.POST or None)
        if request.method == "POST" and correction.is_valid():
            try:
                actions.submit_correction(request.user, foi, text=correction.cleaned_data["text"])
            except ActionError as error:
                error.show_on(correction)
            else:
                messages.success(request, _("补正已提交，答复期限自今日起重新计算。"))
                return redirect("foi:detail", pk=pk)
    clock, explanation = reply_clock(foi)
    return render(
        request,
        "foi/detail.html",
        {
            "foi": foi,
            "clock": clock,
            "explanation": explanation,
            "steps": foi.steps.filter(public=True),
            "files": foi.attachments.order_by("pk"),
            "correction": correction,
        },
    )


def letter(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    foi = request_for(request.user, pk, request.session)
    field = {"pdf": foi.letter_pdf, "docx": foi.letter_docx}.get(fmt)
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=f"{foi.number}.{fmt}")


def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    foi = request_for(request.user, pk, request.session)
    item = foi.attachments.filter(pk=attachment).first()
    # Until the reply is sent the files belong to a draft: the staff page's readers alone,
    # the legal section among them, since it reviews what is to be disclosed.
    if item is None or (
        foi.state != Request.State.CLOSED and not can(request.user, "foi.manage", foi)
    ):
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


# --- staff ---------------------------------------------------------------------------------


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "foi.staff")
    state, due = request.GET.get("state", ""), request.GET.get("due", "")
    # Soonest due first unless asked otherwise: what is late or about to be must not sink
    # below a year of closed requests.
    by_due = request.GET.get("sort", "due") == "due"
    page = queries.staff_list(
        request.user, page=request.GET.get("page"), state=state, due=due, by_due=by_due
    )
    query = request.GET.copy()  # the pager's links keep the filters and the sort
    query.pop("page", None)
    return render(
        request,
        "foi/staff_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "states": Request.State.choices,
            "state": state,
            "dues": list(Status.LABELS.items()),
            "due": due,
            "by_due": by_due,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    require(request.user, "foi.staff")
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        channel, received_on = data.pop("channel"), data.pop("received_on")
        key = data.pop(FIELD)
        try:
            filed = once(
                key,
                request.user,
                lambda: actions.register_request(
                    request.user, organisation, data, channel=channel, received_on=received_on
                ),
                _request,
            )
        except AlreadySubmitted as repeat:
            return render(request, "foi/filed.html", {"repeat": repeat.obj, "staff": True})
        except ActionError as error:
            error.show_on(form)
        else:
            return render(request, "foi/filed.html", {"filed": filed, "staff": True})
    return render(request, "foi/register.html", {"form": form})


def _decide(user: Any, foi: Request, data: dict) -> Any:
    files = [data["files"]] if data.get("files") else []
    return actions.submit_decision(
        user,
        foi,
        outcome=data["outcome"],
        reply_text=data["reply_text"],
        other_agency=data["other_agency"],
        files=files,
    )


def _answer(user: Any, foi: Request, data: dict) -> Any:
    consultation = foi.consultations.filter(answered_at__isnull=True).order_by("-pk").first()
    if consultation is None:
        raise ActionError(_("没有待答复的征求意见。"))
    return actions.record_consultation_answer(user, consultation, **data)


def _proactive(user: Any, foi: Request, data: dict) -> str:
    draft = actions.publish_proactively(
        user, [foi, *data["others"]], title=data["title"], body=data["body"]
    )
    return _("已生成主动公开草稿“{title}”，请到信息发布提交审核。").format(title=draft.title)


def _refer(user: Any, foi: Request, data: dict) -> str:
    appeal, code = actions.refer_to_hotline(user, foi, appeal_type=data["appeal_type"])
    return _("已转12345热线办理，工单编号 {serial}，查询码 {code}（请告知申请人）。").format(
        serial=appeal.serial, code=code
    )


def _decide_remedy(user: Any, foi: Request, data: dict) -> Any:
    return actions.decide_remedy(
        user, data["remedy"], result=data["result"], decided_on=data["decided_on"]
    )


# step name -> (form, call, who may, label); a call may return the message to show
STEPS: dict[str, tuple[type, Callable[[Any, Request, dict], Any], str, str]] = {
    "confirm": (
        forms.EmptyForm,
        lambda u, r, d: actions.confirm_receipt(u, r),
        "foi.handle",
        _("确认收到"),
    ),
    "correction": (
        forms.CorrectionNoticeForm,
        lambda u, r, d: actions.send_correction_notice(u, r, **d),
        "foi.handle",
        _("发出补正告知"),
    ),
    "corrected": (
        forms.CorrectionForm,
        lambda u, r, d: actions.submit_correction(u, r, **d),
        "foi.handle",
        _("登记补正"),
    ),
    "abandon": (
        forms.EmptyForm,
        lambda u, r, d: actions.close_for_no_correction(u, r),
        "foi.handle",
        _("逾期未补正，终止办理"),
    ),
    "consult": (
        forms.ConsultForm,
        lambda u, r, d: actions.start_consultation(u, r, **d),
        "foi.handle",
        _("征求意见"),
    ),
    "answer": (forms.AnswerForm, _answer, "foi.handle", _("记录征求意见答复")),
    "extend": (
        forms.ExtendForm,
        lambda u, r, d: actions.extend_reply(u, r, **d),
        "foi.extend",
        _("批准延期"),
    ),
    "fee": (
        forms.FeeForm,
        lambda u, r, d: actions.send_fee_notice(u, r, **d),
        "foi.handle",
        _("发出收费通知"),
    ),
    "paid": (
        forms.EmptyForm,
        lambda u, r, d: actions.record_payment(u, r),
        "foi.handle",
        _("登记缴费"),
    ),
    "unpaid": (
        forms.EmptyForm,
        lambda u, r, d: actions.close_for_nonpayment(u, r),
        "foi.handle",
        _("逾期未缴费，终止办理"),
    ),
    "decide": (forms.DecisionForm, _decide, "foi.handle", _("提交合法性审查")),
    "review": (
        forms.ReviewForm,
        lambda u, r, d: actions.review_decision(u, r, **d),
        "foi.legal_review",
        _("提交审查结论"),
    ),
    "send": (
        forms.EmptyForm,
        lambda u, r, d: actions.send_reply(u, r),
        "foi.handle",
        _("签发并送达答复书"),
    ),
    "proactive": (forms.ProactiveForm, _proactive, "foi.handle", _("转为主动公开")),
    "refer": (forms.ReferForm, _refer, "foi.handle", _("转12345热线办理")),
    "delivered": (
        forms.DeliveredForm,
        lambda u, r, d: actions.record_delivery(u, r, **d),
        "foi.handle",
        _("登记送达"),
    ),
    "remedy": (
        forms.RemedyForm,
        lambda u, r, d: actions.record_remedy(u, r, **d),
        "foi.handle",
        _("登记行政复议或行政诉讼"),
    ),
    "remedy_decided": (forms.RemedyDecisionForm, _decide_remedy, "foi.handle", _("登记审结结果")),
}
AVAILABLE = {
    Request.State.SUBMITTED: ["confirm"],
    Request.State.PROCESSING: ["correction", "consult", "fee", "extend", "decide"],
    Request.State.CORRECTION: ["corrected", "abandon"],
    Request.State.CONSULTING: ["answer", "extend"],
    Request.State.PAYMENT: ["paid", "unpaid", "extend"],
    Request.State.LEGAL_REVIEW: ["review", "extend"],
    Request.State.APPROVED: ["send"],
    Request.State.CLOSED: [],
}


def _available(foi: Request) -> list[str]:
    """The steps of the request's state, then the seams that do not depend on it."""
    names = list(AVAILABLE[foi.state])
    if foi.proactive_publication_id is None and foi.state != Request.State.SUBMITTED:
        names.append("proactive")
    approved = foi.state in (Request.State.APPROVED, Request.State.CLOSED)
    if approved and foi.draft_outcome == "petition" and foi.complaint_case_id is None:
        names.append("refer")
    if foi.state == Request.State.CLOSED:
        if foi.letter_pdf and not foi.delivered_on and actions.delivered_otherwise(foi):
            names.append("delivered")
        names.append("remedy")
        if foi.remedies.filter(result=Remedy.Result.PENDING).exists():
            names.append("remedy_decided")
    return names


def _form(name: str, foi: Request, *args: Any) -> Any:
    form_class = STEPS[name][0]
    extra = {"request": foi} if getattr(form_class, "needs_request", False) else {}
    return form_class(*args, prefix=name, **extra)


def _staff_request(request: HttpRequest, pk: int) -> Request:
    foi = request_for(request.user, pk)
    if not can(request.user, "foi.manage", foi):
        raise Http404
    return foi


@login_required
def manage(request: HttpRequest, pk: int, bound: dict | None = None) -> HttpResponse:
    foi = _staff_request(request, pk)
    panels = []
    for name in _available(foi):
        _form_class, _call, rule, label = STEPS[name]
        if can(request.user, rule, foi):
            form = (bound or {}).get(name) or _form(name, foi)
            panels.append({"name": name, "label": label, "form": form})
    clock, explanation = reply_clock(foi)
    return render(
        request,
        "foi/manage.html",
        {
            "foi": foi,
            "clock": clock,
            "explanation": explanation,
            "steps": foi.steps.all(),
            "files": foi.attachments.order_by("pk"),
            "panels": panels,
            "consultations": foi.consultations.all(),
            "remedies": foi.remedies.order_by("filed_on", "pk"),
            "positions": Consultation.Position,
            "reply_email": ReplyEmail.objects.filter(request=foi).first(),
            "email_attempts": actions.REPLY_EMAIL_ATTEMPTS,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    foi = _staff_request(request, pk)
    if step not in STEPS:
        raise Http404
    _form_class, call, _rule, label = STEPS[step]
    form = _form(step, foi, request.POST, request.FILES)
    if form.is_valid():
        try:
            result = call(request.user, foi, form.cleaned_data)
        except ActionError as error:
            error.show_on(form)
            messages.error(request, error.message)
        else:
            done = _("已办理：{label}。").format(label=label)
            messages.success(request, result if isinstance(result, str) else done)
            return redirect("foi:manage", pk=pk)
    return manage(request, pk, bound={step: form})
