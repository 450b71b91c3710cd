from collections.abc import Callable
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.clocks.queries import Status, explain_clock
from sunshine.errors import ActionError, run_form
from sunshine.org.permissions import can, require
from sunshine.workflow import queries as tasks
from sunshine.workflow import spec as S
from sunshine.workflow.actions import open_tasks, return_targets
from sunshine.workflow.models import Task

from . import actions, notices, queries
from .forms import (
    ApplicationForm,
    CorrectionForm,
    EndSpecialForm,
    ExtendForm,
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


def _attempt(
    request: HttpRequest,
    app: Application,
    form: forms.Form,
    run: Callable[[dict[str, Any]], object],
    done: str,
    *,
    key: str = "",
) -> HttpResponse:
    """A POST on a case: the action run with the form's data, then back to the case page with
    `done`; or, if the form or the action refuses, the case page again with the form as typed in
    its place (`key`, by default its slot) and the error beside its field, so that nothing has to
    be typed again."""
    if run_form(form, lambda data: run(data) or True):  # done, whatever the action returns
        messages.success(request, done)
        return redirect("hall:application", pk=app.pk)
    return _case_page(request, _application(request, app.pk), bound={key or form.slot: form})


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
    form = ApplicationForm(request.POST or None, request.FILES or None, item=obj, initial=initial)
    if request.method == "POST" and (saved := _save(request, form, obj)):
        return saved
    return render(request, "hall/apply.html", {"item": obj, "form": form})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft continued: its values and files, the missing materials to upload; saved on the
    same application, or submitted from here."""
    app = _application(request, pk)
    if not can(request.user, "hall.edit_application", app):
        # Submitted since (another tab, the back button) or under a superseded guide: the case
        # page says which.
        return redirect("hall:application", pk=app.pk)
    check = request.method == "GET" and "check" in request.GET
    form = ApplicationForm.for_draft(app, request.POST or None, request.FILES or None, check=check)
    if request.method == "POST" and (saved := _save(request, form, app.item, app)):
        return saved
    return render(request, "hall/apply.html", {"item": app.item, "form": form, "app": app})


def _save(
    request: HttpRequest,
    form: ApplicationForm,
    item: ServiceItem,
    application: Application | None = None,
) -> HttpResponse | None:
    """The form saved as a draft (the one given, or a new one), then submitted if that was the
    button pressed; None if the form or the action refused, the error then on the form."""
    if not form.is_valid():
        return None
    data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("material_")}
    key = form.cleaned_data.get("form_key", "")
    try:
        app = actions.save_draft(
            request.user,
            item,
            data=data,
            files=uploaded(form),
            application=application,
            form_key="" if application else key,
        )
    except ActionError as error:
        form.add_error(None, error.message)
        return None
    except PermissionDenied:
        # No longer a draft of this applicant's to edit: most often the same form sent twice
        # (a double click, another tab, the back button), the first of which submitted it.
        sent = application
        if sent is None and key:
            sent = Application.objects.filter(applicant=request.user, form_key=key).first()
        if sent is None:
            raise
        sent.refresh_from_db()
        if sent.state == Application.State.DRAFT:
            raise
        if sent.received_at is None:  # the draft was discarded (撤销), never submitted
            messages.info(request, _("该草稿已撤销，如需申请请重新填写。"))
            return redirect("hall:item", pk=sent.item_id)
        messages.info(request, _("该申请已经提交，无需重复提交。"))
        return redirect("hall:application", pk=sent.pk)
    if "submit" in request.POST:
        return _submit(request, app)
    messages.success(request, _("草稿已保存。"))
    return redirect("hall:application", pk=app.pk)


def _submit(request: HttpRequest, app: Application) -> HttpResponse:
    """Submit a saved draft. Refused while something is missing, it stays a draft with all that
    was given, and the applicant is sent to its form with the refusal beside the fields."""
    try:
        app = actions.submit(request.user, app)  # numbered as it is submitted
    except ActionError as error:
        app.refresh_from_db()  # as the action found it: submitted meanwhile, by a double click
        if app.state != Application.State.DRAFT:
            messages.info(request, _("该申请已经提交，无需重复提交。"))
            return redirect("hall:application", pk=app.pk)
        if not can(request.user, "hall.edit_application", app):  # under a superseded guide
            messages.error(request, error.message)
            return redirect("hall:application", pk=app.pk)
        messages.error(
            request,
            _("申请尚未提交：%(e)s已填写的内容和已上传的材料均已保存在草稿中。")
            % {"e": error.message},
        )
        return redirect(f"{reverse('hall:edit', args=[app.pk])}?check=1")
    messages.success(request, _("申请已提交，办件编号 %(n)s。") % {"n": app.number})
    return redirect("hall:application", pk=app.pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    # A discarded draft (撤销, never submitted) is gone for the applicant; it stays on record.
    discarded = Q(state=Application.State.WITHDRAWN, received_at__isnull=True)
    apps = Application.objects.filter(applicant=request.user).exclude(discarded)
    apps = apps.select_related("item")
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


def _sign_form(app: Application, task: Task, data: Any = None) -> SignForm:
    """The signature form of the task, offering what `actions.sign` would accept now."""
    verbs = actions.signing_verbs(app, task)
    return SignForm(
        data,
        verbs=verbs,
        targets=return_targets(app.instance) if S.RETURN_ANY in verbs else (),
        fee=S.APPROVE in verbs and actions.signature_decides(app, task),
        ceiling=app.item.fee_ceiling is not None,
        initial={"fee": 0} if app.item.free else {},
        auto_id=f"sign-{task.pk}-%s",
    )


def _end_form(procedure: SpecialProcedure, data: Any = None) -> EndSpecialForm:
    return EndSpecialForm(data, auto_id=f"end-{procedure.pk}-%s")


def _case_page(
    request: HttpRequest, app: Application, *, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """The case with the forms its viewer may use; `bound` holds a form sent back with what was
    typed and why it was refused (status 400), shown in place of the blank one."""
    bound = dict(bound or {})
    status = 400 if bound else 200
    user = request.user
    pending = open_tasks(app.instance).select_related("department", "clock") if app.instance else []
    mine = []
    for task in pending:
        if can(user, "workflow.act", task):
            task.form = bound.get(f"sign_{task.pk}") or _sign_form(app, task)
            if task.form.verbs:  # else nothing to sign now: no form to show
                bound.pop(f"sign_{task.pk}", None)
                mine.append(task)
    specials = list(app.special_procedures.all())
    reviewing = app.state == Application.State.IN_REVIEW
    can_special = can(user, "hall.special", app) and reviewing
    for procedure in specials:
        key = f"end_special_{procedure.pk}"
        if key in bound or (can_special and not procedure.ended_at):
            procedure.end_form = bound.pop(key, None) or _end_form(procedure)
    files = app.files.filter(current=True).select_related("material")
    case_forms = {
        "intake": IntakeForm(submitted=files)
        if can(user, "hall.intake", app) and app.state == Application.State.SUBMITTED
        else None,
        "special": SpecialForm() if can_special else None,
        "extend": ExtendForm() if can(user, "hall.extend", app) and reviewing else None,
        "correction": CorrectionForm(item=app.item) if can(user, "hall.correct", app) else None,
        "rating": RatingForm()
        if can(user, "hall.rate", app) and not app.ratings.exists()
        else None,
    }
    case_forms.update({name: bound.pop(name) for name in list(bound) if name in case_forms})
    for form in bound.values():  # sent back for what the page no longer offers: said above it
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    intake_form = case_forms["intake"]
    history = app.instance.tasks.exclude(acted_at=None) if app.instance else Task.objects.none()
    context = {
        "app": app,
        "current_version": None if app.item.is_current else queries.versions(app.item)["current"],
        "rows": intake_form.rows if intake_form else [(f, None, None) for f in files],
        "notices": app.notices.all(),
        "history": history.select_related("department", "acted_by"),
        "open_tasks": pending,
        "my_tasks": mine,
        "clocks": [(c, explain_clock(c)) for c in (app.committed_clock, app.statutory_clock) if c],
        "specials": specials,
        "is_applicant": app.applicant_id == user.pk,
        "can_submit": can(user, "hall.edit_application", app),
        "can_discard": can(user, "hall.discard_draft", app),
        "rating": app.ratings.select_related("follow_up").first(),
        **{f"{name}_form": form for name, form in case_forms.items()},
    }
    return render(request, "hall/application.html", context, status=status)


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _application(request, pk))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, _application(request, pk))


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    actions.discard_draft(request.user, _application(request, pk))
    messages.success(request, _("草稿已撤销。"))
    return redirect("hall:mine")


@login_required
@require_POST
def intake(request: HttpRequest, pk: int) -> HttpResponse:
    """材料预审 of each file, then 受理, 补正 or 不予受理 (or only the pre-review saved)."""
    app = _application(request, pk)
    files = app.files.filter(current=True).select_related("material")
    form = IntakeForm(request.POST, submitted=files)
    decide = {
        "accept": (lambda data: actions.accept(request.user, app), _("已受理，并出具受理通知书。")),
        "correct": (
            lambda data: actions.request_correction(
                request.user, app, items=data["items"].splitlines()
            ),
            _("已一次性告知补正。"),
        ),
        "refuse": (
            lambda data: actions.refuse(request.user, app, reason=data["reason"]),
            _("已作出不予受理决定。"),
        ),
    }
    then, done = decide.get(
        request.POST.get("do", ""), (lambda data: None, _("材料预审意见已保存。"))
    )

    def run(data: dict[str, Any]) -> None:
        for file, ok, note in form.reviews():
            try:
                actions.review_material(request.user, file, ok=ok, note=note)
            except ActionError as error:
                # The note asked for is the one of this file.
                field = f"note_{file.pk}" if error.field == "note" else error.field
                raise ActionError(error.message, field=field) from None
        then(data)

    return _attempt(request, app, form, run, done)


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    form = CorrectionForm(request.POST, request.FILES, item=app.item)

    def run(data: dict[str, Any]) -> None:
        actions.submit_correction(request.user, app, files=uploaded(form), note=data["note"])

    return _attempt(request, app, form, run, _("补正材料已提交。"))


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    app = get_object_or_404(Application, instance=task.instance_id)
    form = _sign_form(app, task, request.POST)

    def run(data: dict[str, Any]) -> None:
        actions.sign(
            request.user,
            task,
            data["verb"],
            opinion=data["opinion"],
            target=data.get("target", ""),
            to_user=data.get("to_user"),
            fee=data.get("fee"),
            confirm_fee=data.get("confirm_fee", False),
        )

    return _attempt(request, app, form, run, _("已签署意见。"), key=f"sign_{task.pk}")


@login_required
@require_POST
def special(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    return _attempt(
        request,
        app,
        SpecialForm(request.POST),
        lambda data: actions.start_special_procedure(request.user, app, **data),
        _("特别程序已启动，办理时限暂停，并已书面告知申请人。"),
    )


@login_required
@require_POST
def end_special(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = get_object_or_404(SpecialProcedure, pk=pk)
    app = _application(request, procedure.application_id)
    return _attempt(
        request,
        app,
        _end_form(procedure, request.POST),
        lambda data: actions.end_special_procedure(request.user, procedure, **data),
        _("特别程序已结束，办理时限恢复计算。"),
        key=f"end_special_{procedure.pk}",
    )


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    return _attempt(
        request,
        app,
        ExtendForm(request.POST),
        lambda data: actions.extend(request.user, app, **data),
        _("已批准延长办理期限，并告知申请人。"),
    )


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    return _attempt(
        request,
        app,
        RatingForm(request.POST),
        lambda data: actions.rate(request.user, app, **data),
        _("感谢您的评价。"),
    )


@login_required
def notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    obj = get_object_or_404(Notice.objects.select_related("application__item__department"), pk=pk)
    if not can(request.user, "hall.view_application", obj.application) or fmt not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(notices.render(obj, fmt), content_type=CONTENT_TYPES[fmt])
    filename = f"{obj.title}-{obj.application.number}.{fmt}"
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
            error.show_on(form)
    return render(
        request,
        "hall/follow_up.html",
        {"follow_up": obj, "form": form, "explain": explain_clock(obj.clock) if obj.clock else []},
    )


def ratings(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/ratings.html", {"figures": queries.public_ratings()})
