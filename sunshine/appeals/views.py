"""Pages of the 12345 platform and the mailboxes: thin views over actions and queries."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sunshine.clocks.queries import explain_clock
from sunshine.core.ratelimit import ratelimit
from sunshine.core.submissions import FIELD, AlreadySubmitted, once
from sunshine.errors import ActionError
from sunshine.org.permissions import can, require

from . import actions, queries
from . import forms as f
from .models import (
    Appeal,
    Assignment,
    ExtensionRequest,
    FollowUp,
    Mailbox,
    Publication,
    Reply,
    Status,
)
from .text import REFUSALS, refusal_hints

SESSION_CODES = "appeals_codes"


# --- public pages -------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "appeals/index.html",
        {
            "mailboxes": Mailbox.objects.filter(is_active=True),
            "letters": Publication.objects.filter(is_withdrawn=False)[:10],
            "track_form": f.TrackForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@ratelimit("public_form")
def write(request: HttpRequest, mailbox: str | None = None) -> HttpResponse:
    box = get_object_or_404(Mailbox, code=mailbox, is_active=True) if mailbox else None
    user = request.user
    initial = {}
    if user.is_authenticated and not can(user, "appeals.desk"):
        initial = {"contact_name": user.real_name, "phone": getattr(user, "mobile", "")}
    form = f.AppealForm(
        request.POST or None, request.FILES or None, letter=bool(box), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop(FIELD)
        try:
            appeal, code = once(
                key, user, lambda: actions.submit_appeal(user, mailbox=box, **data), _first
            )
        except AlreadySubmitted as repeat:
            return render(request, "appeals/submitted.html", {"serial": repeat.obj.serial})
        except ActionError as error:
            error.show_on(form)
        else:
            _remember(request, appeal, code)
            request.session["appeals_new"] = {"serial": appeal.serial, "code": code}
            return redirect("appeals:submitted")
    return render(request, "appeals/write.html", {"form": form, "mailbox": box})


def _first(made: tuple[Appeal, str]) -> Appeal:
    return made[0]


def _remember(request: HttpRequest, appeal: Appeal, code: str) -> None:
    codes = request.session.get(SESSION_CODES, {})
    codes[appeal.serial] = code
    request.session[SESSION_CODES] = codes


def submitted(request: HttpRequest) -> HttpResponse:
    new = request.session.pop("appeals_new", None)
    if not new:
        return redirect("appeals:index")
    return render(request, "appeals/submitted.html", new)


@require_http_methods(["GET", "POST"])
@ratelimit("lookup")
def track(request: HttpRequest) -> HttpResponse:
    form = f.TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        serial, code = form.cleaned_data["serial"].strip(), form.cleaned_data["code"]
        appeal = Appeal.objects.filter(serial=serial).first()
        if appeal and can(request.user, "appeals.citizen", actions.CitizenAccess(appeal, code)):
            _remember(request, appeal, code)
            return redirect("appeals:status", serial=serial)
        form.add_error(None, _("编号或查询码不正确。"))
    return render(request, "appeals/track.html", {"form": form})


def _citizen_appeal(request: HttpRequest, serial: str) -> tuple[Appeal, str]:
    appeal = Appeal.objects.filter(serial=serial).select_related("merged_into").first()
    code = request.session.get(SESSION_CODES, {}).get(serial, "")
    if appeal is None or not can(
        request.user, "appeals.citizen", actions.CitizenAccess(appeal, code)
    ):
        raise Http404
    return appeal, code


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, serial: str) -> HttpResponse:
    """The citizen's view: progress, the reviewed reply, and the rating form when it is due."""
    appeal, code = _citizen_appeal(request, serial)
    form = f.FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.follow_up(
                request.user, appeal, via=FollowUp.Via.ONLINE, code=code, **form.cleaned_data
            )
        except ActionError as error:
            error.show_on(form)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("appeals:status", serial=serial)
    return render(
        request,
        "appeals/status.html",
        {
            "appeal": appeal,
            "reply": actions.approved_reply(appeal),
            "form": form if appeal.status == Status.ANSWERED else None,
            "followups": appeal.followups.all(),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "appeals/mine.html",
        {"appeals": Appeal.objects.filter(citizen=request.user).select_related("mailbox")},
    )


def letters(request: HttpRequest) -> HttpResponse:
    items = Publication.objects.filter(is_withdrawn=False).select_related(
        "appeal__mailbox", "appeal__lead_department"
    )
    box = request.GET.get("mailbox")
    if box:
        items = items.filter(appeal__mailbox__code=box)
    return render(
        request,
        "appeals/letters.html",
        {"letters": items[:100], "mailboxes": Mailbox.objects.filter(is_active=True)},
    )


def letter(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(
        Publication.objects.select_related("appeal__mailbox", "appeal__lead_department"),
        pk=pk,
        is_withdrawn=False,
    )
    return render(request, "appeals/letter.html", {"letter": publication})


def stats(request: HttpRequest) -> HttpResponse:
    """Monthly statistics per mailbox and department (published as a bulletin)."""
    today = timezone.localdate()
    months = queries.recent_months(today)
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    return render(
        request,
        "appeals/stats.html",
        {
            "stats": queries.monthly_stats(year, month),
            "year": year,
            "month": month,
            "months": months,
        },
    )


# --- staff pages --------------------------------------------------------------------------------


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    require(request.user, "appeals.desk")
    return render(
        request,
        "appeals/desk.html",
        {
            "desk": queries.desk_for(request.user),
            "can_intake": can(request.user, "appeals.intake"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """The operator records a call, or a ticket transferred from the higher level."""
    require(request.user, "appeals.intake")
    form = f.CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        external_ref, source_name = data.pop("external_ref"), data.pop("source_name")
        key = data.pop(FIELD)

        def record() -> tuple[Appeal, str]:
            if external_ref:
                return actions.receive_transfer(
                    request.user, external_ref=external_ref, source_name=source_name, **data
                )
            return actions.record_call(request.user, **data)

        try:
            appeal, code = once(key, request.user, record, _first)
        except AlreadySubmitted as repeat:
            messages.info(request, _("这张工单已经登记过，没有重复登记。"))
            return redirect("appeals:ticket", pk=repeat.obj.pk)
        except ActionError as error:
            error.show_on(form)
        else:
            messages.success(
                request,
                _("已受理，编号 %(serial)s，查询码 %(code)s（请告知诉求人）。")
                % {"serial": appeal.serial, "code": code},
            )
            return redirect("appeals:ticket", pk=appeal.pk)
    return render(request, "appeals/intake.html", {"form": form})


def _ticket(request: HttpRequest, pk: int) -> Appeal:
    appeal = queries.visible_appeals(request.user).filter(pk=pk).first()
    if appeal is None or not can(request.user, "appeals.view", appeal):
        raise Http404
    return appeal


def _assignment_forms(user: Any, assignment: Assignment) -> dict[str, forms.Form]:
    result: dict[str, forms.Form] = {}
    if not can(user, "appeals.unit", assignment):
        return result
    state, lead = assignment.state, assignment.role == Assignment.Role.LEAD
    if state == Assignment.State.WAITING:
        result["sign"] = forms.Form()
    if lead and state in (Assignment.State.WAITING, Assignment.State.SIGNED):
        result["return"] = f.ReturnForm(prefix=f"r{assignment.pk}")
    if state == Assignment.State.SIGNED:
        # A 协办 unit's handling clock runs against it as the lead's does: it may ask for more
        # time the same way (request_extension is the same for both roles).
        result["extend"] = f.ExtensionForm(
            prefix=f"e{assignment.pk}", unit=assignment.handle_clock.get_unit_display()
        )
        if lead:
            result["reply"] = f.ReplyForm(prefix=f"p{assignment.pk}")
        else:
            result["opinion"] = f.OpinionForm(prefix=f"o{assignment.pk}")
    return result


@login_required
def ticket(request: HttpRequest, pk: int, bound: dict | None = None) -> HttpResponse:
    """The ticket as staff see it, with the forms the person may use now."""
    appeal = _ticket(request, pk)
    user = request.user
    assignments = list(
        appeal.master.assignments.select_related(
            "department", "sign_clock", "handle_clock", "return_clock"
        )
    )
    for a in assignments:
        a.forms = _assignment_forms(user, a)
        a.clocks = [
            (c, explain_clock(c)) for c in (a.sign_clock, a.handle_clock, a.return_clock) if c
        ]
        a.pending_extensions = [
            (r, f.DecisionForm(prefix=f"x{r.pk}"))
            for r in a.extension_requests.filter(state=ExtensionRequest.State.PENDING)
        ]
        for r, _form in a.pending_extensions:
            r.assignment = a  # for amount_label, the clock already at hand
        a.return_review = (
            f.ReturnReviewForm(prefix=f"v{a.pk}")
            if a.state == Assignment.State.RETURNED and can(user, "appeals.dispatch", appeal)
            else None
        )
    dispatcher = can(user, "appeals.dispatch", appeal)
    received = appeal.status == Status.RECEIVED
    pending = appeal.replies.filter(state=Reply.State.PENDING).first()
    publication = Publication.objects.filter(appeal=appeal).first()
    context = {
        "appeal": appeal,
        "assignments": assignments,
        "events": appeal.events.select_related("actor", "department"),
        "replies": appeal.master.replies.select_related("author", "assignment__department"),
        "followups": appeal.followups.all(),
        "dispatcher": dispatcher,
        "received": received,
        "pending_reply": pending,
        "review_form": f.ReviewForm(prefix="review") if dispatcher and pending else None,
        "urge_form": f.UrgeForm() if can(user, "appeals.urge", appeal) else None,
        "phone_form": (
            f.FollowUpForm(prefix="phone")
            if dispatcher and appeal.status == Status.ANSWERED
            else None
        ),
        "can_archive": dispatcher
        and appeal.status in (Status.CLOSED, Status.DIRECT, Status.REFUSED),
        "can_publish": can(user, "appeals.publish", appeal) and appeal.consent_publish,
        "publication": publication,
        "unpublish_form": (
            f.WithdrawForm(prefix="unpublish")
            if publication and not publication.is_withdrawn and can(user, "appeals.publish", appeal)
            else None
        ),
        "report_back": getattr(appeal, "report_back", None),
    }
    if dispatcher and received:
        initial = {"category": appeal.category_id}
        suggestions = queries.suggest_departments(appeal)
        if suggestions:
            initial["lead"] = suggestions[0].department.pk
            entry = getattr(appeal.category, "dispatch", None) if appeal.category_id else None
            if entry:
                initial["co"] = list(entry.co_handlers.values_list("pk", flat=True))
        context |= {
            "dispatch_form": f.DispatchForm(initial=initial),
            "suggestions": suggestions,
            "repeats": queries.repeats_of(appeal),
            "knowledge": queries.knowledge_matches(f"{appeal.title} {appeal.body}"),
            "knowledge_form": f.KnowledgeForm(),
            "refuse_form": f.RefuseForm(
                initial={"reason": (refusal_hints(appeal.body) or [None])[0]}
            ),
            "refusal_hints": [REFUSALS[c][0] for c in refusal_hints(appeal.body)],
            "merge_form": f.MergeForm(),
        }
    context |= bound or {}
    return render(request, "appeals/ticket.html", context)


Handler = Callable[[HttpRequest, Appeal, int | None], forms.Form | None]


def _run(form: forms.Form, call: Callable[[dict], Any]) -> forms.Form | None:
    """Validate and call; None on success, else the form carrying its errors."""
    if not form.is_valid():
        return form
    try:
        call(form.cleaned_data)
    except ActionError as error:
        error.show_on(form)
        return form
    return None


def _assignment(appeal: Appeal, target: int | None) -> Assignment:
    return get_object_or_404(Assignment, pk=target, appeal=appeal.master)


def _do_dispatch(request, appeal, target):
    form = f.DispatchForm(request.POST)
    return _run(form, lambda d: actions.dispatch(request.user, appeal, **d))


def _do_knowledge(request, appeal, target):
    form = f.KnowledgeForm(request.POST)
    return _run(form, lambda d: actions.answer_directly(request.user, appeal, d["entry"]))


def _do_refuse(request, appeal, target):
    form = f.RefuseForm(request.POST)
    return _run(form, lambda d: actions.refuse(request.user, appeal, **d))


def _do_merge(request, appeal, target):
    form = f.MergeForm(request.POST)

    def call(d):
        into = Appeal.objects.filter(serial=d["into"].strip()).first()
        if into is None:
            raise ActionError(_("找不到该编号的诉求。"), field="into")
        actions.merge(request.user, appeal, into)

    return _run(form, call)


def _do_sign(request, appeal, target):
    return _run(
        forms.Form(request.POST), lambda d: actions.sign(request.user, _assignment(appeal, target))
    )


def _do_return(request, appeal, target):
    form = f.ReturnForm(request.POST, prefix=f"r{target}")
    return _run(
        form, lambda d: actions.return_ticket(request.user, _assignment(appeal, target), **d)
    )


def _do_review_return(request, appeal, target):
    form = f.ReturnReviewForm(request.POST, prefix=f"v{target}")
    return _run(
        form, lambda d: actions.review_return(request.user, _assignment(appeal, target), **d)
    )


def _do_extend(request, appeal, target):
    form = f.ExtensionForm(request.POST, prefix=f"e{target}")
    return _run(
        form, lambda d: actions.request_extension(request.user, _assignment(appeal, target), **d)
    )


def _do_decide_extension(request, appeal, target):
    ask = get_object_or_404(ExtensionRequest, pk=target, assignment__appeal=appeal.master)
    form = f.DecisionForm(request.POST, prefix=f"x{target}")
    return _run(form, lambda d: actions.decide_extension(request.user, ask, **d))


def _do_opinion(request, appeal, target):
    form = f.OpinionForm(request.POST, prefix=f"o{target}")
    return _run(
        form, lambda d: actions.submit_opinion(request.user, _assignment(appeal, target), **d)
    )


def _do_reply(request, appeal, target):
    form = f.ReplyForm(request.POST, prefix=f"p{target}")
    return _run(form, lambda d: actions.reply(request.user, _assignment(appeal, target), **d))


def _do_review_reply(request, appeal, target):
    answer = get_object_or_404(Reply, pk=target, appeal=appeal)
    form = f.ReviewForm(request.POST, prefix="review")
    return _run(form, lambda d: actions.review_reply(request.user, answer, **d))


def _do_urge(request, appeal, target):
    form = f.UrgeForm(request.POST)
    return _run(form, lambda d: actions.urge(request.user, appeal, **d))


def _do_phone(request, appeal, target):
    form = f.FollowUpForm(request.POST, prefix="phone")
    return _run(
        form, lambda d: actions.follow_up(request.user, appeal, via=FollowUp.Via.PHONE, **d)
    )


def _do_archive(request, appeal, target):
    return _run(forms.Form(request.POST), lambda d: actions.archive(request.user, appeal))


def _do_unpublish(request, appeal, target):
    form = f.WithdrawForm(request.POST, prefix="unpublish")
    publication = get_object_or_404(Publication, appeal=appeal)
    return _run(form, lambda d: actions.withdraw_publication(request.user, publication, **d))


HANDLERS: dict[str, tuple[Handler, str]] = {
    # action: (handler, context name of the form shown again with its errors)
    "dispatch": (_do_dispatch, "dispatch_form"),
    "knowledge": (_do_knowledge, "knowledge_form"),
    "refuse": (_do_refuse, "refuse_form"),
    "merge": (_do_merge, "merge_form"),
    "sign": (_do_sign, "error_form"),
    "return": (_do_return, "error_form"),
    "review_return": (_do_review_return, "error_form"),
    "extend": (_do_extend, "error_form"),
    "decide_extension": (_do_decide_extension, "error_form"),
    "opinion": (_do_opinion, "error_form"),
    "reply": (_do_reply, "error_form"),
    "review_reply": (_do_review_reply, "review_form"),
    "urge": (_do_urge, "urge_form"),
    "phone": (_do_phone, "phone_form"),
    "archive": (_do_archive, "error_form"),
    "unpublish": (_do_unpublish, "unpublish_form"),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in HANDLERS:
        raise Http404
    appeal = _ticket(request, pk)
    handler, slot = HANDLERS[action]
    target = request.POST.get("target")
    number = target and target.isdecimal() and len(target) < 19  # else no id fits a bigint
    form = handler(request, appeal, int(target) if number else None)
    if form is None:
        messages.success(request, _("已办理。"))
        return redirect("appeals:ticket", pk=pk)
    return ticket(request, pk, bound={slot: form})


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor previews the masked letter and reply, masks more, and publishes."""
    appeal = _ticket(request, pk)
    require(request.user, "appeals.publish", appeal)
    existing = getattr(appeal, "publication", None)
    initial = {"extra_masks": "\n".join(existing.extra_masks)} if existing else {}
    form = f.PublishForm(request.POST or None, initial=initial)
    extra = (
        form.masks()
        if form.is_bound and form.is_valid()
        else list(initial.get("extra_masks", "").split("\n"))
    )
    if request.method == "POST" and form.is_valid() and "confirm" in request.POST:
        try:
            publication = actions.publish(request.user, appeal, extra_masks=extra)
        except ActionError as error:
            error.show_on(form)
        else:
            messages.success(request, _("已公开。"))
            return redirect("appeals:letter", pk=publication.pk)
    title, body, answer = actions.masked_copy(appeal, [m for m in extra if m])
    return render(
        request,
        "appeals/publish.html",
        {
            "appeal": appeal,
            "form": form,
            "preview": {"title": title, "body": body, "reply": answer},
        },
    )
