from collections.abc import Callable
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.clocks.queries import Status, explain_clock
from sunshine.errors import ActionError
from sunshine.org.permissions import can, require
from sunshine.workflow import queries as tasks
from sunshine.workflow.actions import VERB_LABELS, open_tasks
from sunshine.workflow.models import Task

from . import actions, notices, queries
from .forms import (
    ApplicationForm,
    CorrectionForm,
    FollowUpForm,
    IntakeForm,
    RatingForm,
    SignForm,
    SpecialForm,
    uploaded,
)
from .models import (
    Application,
    FollowUp,
    Material,
    Notice,
    ServiceItem,
    SpecialProcedure,
    SubmittedMaterial,
)

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _act(request: HttpRequest, pk: int, run: Callable[[], object], done: str) -> HttpResponse:
    """A POST on a case runs one action and goes back to the case page, with `done` or the
    action's refusal as the message."""
    try:
        run()
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("hall:application", pk=pk)


def _valid(form: forms.Form) -> dict[str, Any]:
    """The form's data, or an ActionError naming each field that is wrong."""
    if not form.is_valid():
        raise ActionError(
            "；".join(
                f"{form.fields[name].label}：{error}" if name in form.fields else error
                for name, errors in form.errors.items()
                for error in errors
            )
        )
    return form.cleaned_data


def index(request: HttpRequest) -> HttpResponse:
    q, department, theme = (request.GET.get(k, "") for k in ("q", "department", "theme"))
    return render(
        request,
        "hall/index.html",
        {
            "items": queries.catalogue(q=q, department=department, theme=theme),
            "q": q,
            "department": department,
            "theme": theme,
            **queries.facets(),
        },
    )


def item(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(
        ServiceItem.objects.select_related("department", "handling_unit", "process"), pk=pk
    )
    return render(
        request,
        "hall/item.html",
        {
            "item": obj,
            "flow": tasks.chart(obj.process),
            "can_apply": can(request.user, "hall.apply", obj),
            **queries.versions(obj),
        },
    )


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(ServiceItem, pk=pk)
    if not obj.is_current:  # a link or a form from before the guide changed
        current = queries.versions(obj)["current"]
        messages.error(request, _("办事指南已更新，请阅读现行版本后再申请。"))
        return redirect("hall:item", pk=current.pk) if current else redirect("hall:index")
    require(request.user, "hall.apply", obj)
    initial = {"applicant_name": request.user.display_name, "contact_phone": request.user.mobile}
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        item=obj,
        initial=initial,
        submitting="submit" in request.POST,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("material_")}
        try:
            app = actions.save_draft(request.user, obj, data=data, files=uploaded(form))
            if "submit" in request.POST:
                app = actions.submit(request.user, app)  # numbered as it is submitted
                messages.success(request, _("申请已提交，办件编号 %(n)s。") % {"n": app.number})
            else:
                messages.success(request, _("草稿已保存。"))
            return redirect("hall:application", pk=app.pk)
        except ActionError as error:
            form.add_error(None, error.message)
    return render(request, "hall/apply.html", {"item": obj, "form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    apps = Application.objects.filter(applicant=request.user).select_related("item")
    return render(request, "hall/mine.html", {"applications": apps})


def _application(request: HttpRequest, pk: int) -> Application:
    app = get_object_or_404(
        Application.objects.select_related(
            "item__department",
            "item__process",
            "instance",
            "statutory_clock",
            "committed_clock",
            "publication",
        ),
        pk=pk,
    )
    if not can(request.user, "hall.view_application", app):
        raise Http404
    return app


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    user = request.user
    pending = open_tasks(app.instance).select_related("department", "clock") if app.instance else []
    mine = [t for t in pending if can(user, "workflow.act", t)]
    steps = app.instance.definition.parsed.steps if app.instance else []
    current = app.instance.step if app.instance and app.instance.state == "running" else None
    reviewing = app.state in actions.REVIEWING
    # The signature that decides records the fee charged: the deciding step's, or the last
    # one's in a process without one (see actions.sign).
    last = current is not None and app.instance.position == len(steps) - 1
    decides = current is not None and not app.decision and (current.decides or last)
    for task in mine:
        consult = task.kind == Task.Kind.CONSULT
        verbs = ("approve",) if consult else (current.actions if current else ())
        if app.decision:
            verbs = [v for v in verbs if v in actions.AFTER_DECISION]
        task.verbs = [(v, VERB_LABELS[v]) for v in verbs] if reviewing else []
        task.records_fee = decides and not consult
    history = (
        app.instance.tasks.exclude(acted_at=None).select_related("department", "acted_by")
        if app.instance
        else []
    )
    context = {
        "app": app,
        "current_version": None if app.item.is_current else queries.versions(app.item)["current"],
        "files": app.files.filter(current=True).select_related("material"),
        "notices": app.notices.all(),
        "history": history,
        "open_tasks": pending,
        "my_tasks": mine,
        "earlier_steps": steps[: app.instance.position]
        if app.instance and not app.decision
        else [],
        "clocks": [(c, explain_clock(c)) for c in (app.committed_clock, app.statutory_clock) if c],
        "specials": app.special_procedures.all(),
        "is_applicant": app.applicant_id == user.pk,
        "can_intake": can(user, "hall.intake", app) and app.state == "submitted",
        "can_special": can(user, "hall.special", app) and app.state == "in_review",
        "can_extend": can(user, "hall.extend", app) and app.state == "in_review",
        "can_correct": can(user, "hall.correct", app),
        "can_submit": can(user, "hall.edit_application", app),
        "can_rate": can(user, "hall.rate", app) and not app.ratings.exists(),
        "rating": app.ratings.select_related("follow_up").first(),
        "intake_form": IntakeForm(),
        "special_form": SpecialForm(),
        "correction_form": CorrectionForm(item=app.item)
        if can(user, "hall.correct", app)
        else None,
        "rating_form": RatingForm(),
    }
    return render(request, "hall/application.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    return _act(request, pk, lambda: actions.submit(request.user, app), _("申请已提交。"))


@login_required
@require_POST
def intake(request: HttpRequest, pk: int) -> HttpResponse:
    """材料预审 of each file, then 受理, 补正 or 不予受理 (or only the pre-review saved)."""
    app = _application(request, pk)
    form = IntakeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    decide = {
        "accept": (lambda: actions.accept(request.user, app), _("已受理，并出具受理通知书。")),
        "correct": (
            lambda: actions.request_correction(
                request.user, app, items=data.get("items", "").splitlines()
            ),
            _("已一次性告知补正。"),
        ),
        "refuse": (
            lambda: actions.refuse(request.user, app, reason=data.get("reason", "")),
            _("已作出不予受理决定。"),
        ),
    }
    then, done = decide.get(request.POST.get("do", ""), (lambda: None, _("材料预审意见已保存。")))

    def run() -> None:
        for file in app.files.filter(current=True):
            verdict = request.POST.get(f"review_{file.pk}")
            if verdict in ("accepted", "correct"):
                note = request.POST.get(f"note_{file.pk}", "")
                actions.review_material(request.user, file, ok=verdict == "accepted", note=note)
        then()

    return _act(request, pk, run, done)


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    form = CorrectionForm(request.POST, request.FILES, item=app.item)

    def run() -> None:
        note = _valid(form)["note"]
        actions.submit_correction(request.user, app, files=uploaded(form), note=note)

    return _act(request, pk, run, _("补正材料已提交。"))


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    app = get_object_or_404(Application, instance=task.instance_id)
    form = SignForm(request.POST)

    def run() -> None:
        data = _valid(form)
        to_user = None
        if data["to_user"]:
            to_user = get_user_model().objects.filter(username=data["to_user"].strip()).first()
        actions.sign(
            request.user,
            task,
            data["verb"],
            opinion=data["opinion"],
            target=data["target"],
            to_user=to_user,
            fee=data["fee"],
            confirm_fee=data["confirm_fee"],
        )

    return _act(request, app.pk, run, _("已签署意见。"))


@login_required
@require_POST
def special(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    form = SpecialForm(request.POST)
    return _act(
        request,
        pk,
        lambda: actions.start_special_procedure(request.user, app, **_valid(form)),
        _("特别程序已启动，办理时限暂停，并已书面告知申请人。"),
    )


@login_required
@require_POST
def end_special(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = get_object_or_404(SpecialProcedure, pk=pk)
    app = _application(request, procedure.application_id)
    return _act(
        request,
        app.pk,
        lambda: actions.end_special_procedure(
            request.user, procedure, result=request.POST.get("result", "")
        ),
        _("特别程序已结束，办理时限恢复计算。"),
    )


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    return _act(
        request,
        pk,
        lambda: actions.extend(request.user, app, reason=request.POST.get("reason", "")),
        _("已批准延长办理期限，并告知申请人。"),
    )


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    form = RatingForm(request.POST)
    return _act(
        request,
        pk,
        lambda: actions.rate(request.user, app, **_valid(form)),
        _("感谢您的评价。"),
    )


@login_required
def notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    obj = get_object_or_404(Notice.objects.select_related("application__item__department"), pk=pk)
    if not can(request.user, "hall.view_application", obj.application) or fmt not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(notices.render(obj, fmt), content_type=CONTENT_TYPES[fmt])
    filename = f"{obj.get_kind_display()}-{obj.application.number}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def material_form(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """A guide's 空白表格 or 示例样表: public as the guide is, streamed like every stored file
    (the store is never served directly)."""
    material = get_object_or_404(Material, pk=pk)
    stored = {
        "blank": (material.blank_form, _("空白表格")),
        "sample": (material.sample, _("示例样表")),
    }
    file, label = stored.get(kind, (None, ""))
    if not file:
        raise Http404
    filename = f"{material.name}（{label}）{PurePath(file.name).suffix}"
    return FileResponse(file.open("rb"), as_attachment=True, filename=filename)


@login_required
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    file = get_object_or_404(SubmittedMaterial.objects.select_related("application__item"), pk=pk)
    if not can(request.user, "hall.view_application", file.application):
        raise Http404
    return FileResponse(file.file.open("rb"), as_attachment=True, filename=file.name)


@login_required
def office(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "hall.office"):
        raise PermissionDenied
    todo = list(tasks.todo_for(request.user)[:200])
    for task in todo:
        task.status_label = Status.LABELS[task.status]
    q = request.GET.get("q", "")
    follow_ups = FollowUp.objects.filter(state=FollowUp.State.OPEN).select_related(
        "rating__application", "clock"
    )
    return render(
        request,
        "hall/office.html",
        {
            "todo": todo,
            "done": tasks.done_by(request.user)[:30],
            "q": q,
            "found": queries.cases_for(request.user, q)[:50] if q else None,
            "stats": queries.unit_statistics(request.user),
            "follow_ups": [f for f in follow_ups if can(request.user, "hall.follow_up", f)],
        },
    )


@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(FollowUp.objects.select_related("rating__application", "clock"), pk=pk)
    if not can(request.user, "hall.follow_up", obj):
        raise Http404
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_follow_up(request.user, obj, **form.cleaned_data)
            messages.success(request, _("差评整改已办结，并已反馈申请人。"))
            return redirect("hall:office")
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(
        request,
        "hall/follow_up.html",
        {"follow_up": obj, "form": form, "explain": explain_clock(obj.clock) if obj.clock else []},
    )


def ratings(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/ratings.html", {"figures": queries.public_ratings()})
