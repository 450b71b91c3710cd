from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.clocks.queries import Status, explain_clock
from sunshine.errors import ActionError, run_form
from sunshine.org.permissions import can, require

from . import actions, cases, charts, exports, queries
from .forms import BulletinForm, ChartPeriodForm, CloseForm, RespondForm, UrgeForm
from .models import Alert, Anomaly, Bulletin, Level, Notification, Urging


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, "supervision.view")
    level = request.GET.get("level") or None
    if level not in (None, *Level.values):
        level = None
    return render(
        request,
        "supervision/dashboard.html",
        {
            "counts": queries.status_counts(request.user),
            "statuses": list(Status.LABELS.items()),
            "alerts": queries.open_alerts(request.user, level)[:500],
            "levels": Level.choices,
            "level": level,
            "anomalies": queries.open_anomalies(request.user)[:200],
        },
    )


def _access_alert(request: HttpRequest, pk: int) -> Alert:
    require(request.user, "supervision.view")
    try:
        return queries.access_alert(request.user, pk)
    except Alert.DoesNotExist:
        raise Http404 from None


def _alert_page(
    request: HttpRequest,
    alert: Alert,
    urge_form: UrgeForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    """The alert with its forms; a form sent back with errors keeps what was typed."""
    return render(
        request,
        "supervision/alert.html",
        {
            "alert": alert,
            "explanation": explain_clock(alert.clock),
            "case_page": cases.links([alert.clock]).get(alert.clock.pk, ""),
            "urgings": alert.urgings.select_related("issued_by").order_by("issued_at"),
            "urge_form": urge_form or UrgeForm(),
            "close_form": close_form or CloseForm(),
            "may_act": can(request.user, "supervision.act", alert),
            "may_remind": can(request.user, "supervision.remind", alert),
        },
    )


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_page(request, _access_alert(request, pk))


@login_required
@require_POST
def urge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _access_alert(request, pk)
    form = UrgeForm(request.POST)
    urging = run_form(
        form,
        lambda data: actions.urge(
            request.user,
            alert,
            kind=data["kind"],
            message=data["message"],
            limit_days=data["limit_days"],
        ),
    )
    if urging is None:
        return _alert_page(request, alert, urge_form=form)
    done = {"kind": urging.get_kind_display(), "n": urging.limit_days}
    if urging.limit_days:
        messages.success(request, _("已发出%(kind)s，限 %(n)s 个工作日内答复。") % done)
    else:
        messages.success(request, _("已发出%(kind)s。") % done)
    return redirect("supervision:alert", pk=alert.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _access_alert(request, pk)
    form = CloseForm(request.POST)
    closed = run_form(
        form, lambda data: actions.close_alert(request.user, alert, finding=data["finding"])
    )
    if closed is None:
        return _alert_page(request, alert, close_form=form)
    messages.success(request, _("已办理。"))
    return redirect("supervision:alert", pk=alert.pk)


def _access_anomaly(request: HttpRequest, pk: int) -> Anomaly:
    require(request.user, "supervision.view")
    try:
        return queries.access_anomaly(request.user, pk)
    except Anomaly.DoesNotExist:
        raise Http404 from None


@login_required
def anomaly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    anomaly = _access_anomaly(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST":
        closed = run_form(
            form,
            lambda data: actions.close_anomaly(request.user, anomaly, finding=data["finding"]),
        )
        if closed is not None:
            messages.success(request, _("已办理。"))
            return redirect("supervision:anomaly", pk=anomaly.pk)
    case = (anomaly.content_type_id, anomaly.object_id)
    return render(
        request,
        "supervision/anomaly.html",
        {
            "anomaly": anomaly,
            "case_page": cases.case_pages([case]).get(case, ""),
            "form": form,
            "may_act": can(request.user, "supervision.act", anomaly),
        },
    )


def _inbox_page(request: HttpRequest, answering: RespondForm | None = None) -> HttpResponse:
    """催办, 督办 and 纠错 addressed to the officer's departments or cases, each with a link to
    the urged case and its own answer form (`answering`, sent back with errors, keeps what was
    typed)."""
    urgings = list(queries.urgings_for(request.user)[:200])
    pages = cases.links(u.alert.clock for u in urgings)
    for urging in urgings:
        urging.case_page = pages.get(urging.alert.clock_id, "")
        if answering is not None and answering.urging_pk == urging.pk:
            urging.form = answering
        else:
            urging.form = RespondForm(urging_pk=urging.pk)
    return render(request, "supervision/inbox.html", {"urgings": urgings})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox_page(request)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        urging = queries.urgings_for(request.user).get(pk=pk)
    except Urging.DoesNotExist:
        raise Http404 from None
    form = RespondForm(request.POST, urging_pk=urging.pk)
    answered = run_form(
        form, lambda data: actions.respond(request.user, urging, response=data["response"])
    )
    if answered is None:
        return _inbox_page(request, form)
    messages.success(request, _("已答复。"))
    return redirect("supervision:inbox")


@login_required
def bulletins(request: HttpRequest) -> HttpResponse:
    """Published 通报 for all staff; drafts and the form for the supervision office."""
    require(request.user, "portal.workbench")
    drafting = can(request.user, "supervision.bulletin")
    form = BulletinForm(request.POST or None) if drafting else None
    if request.method == "POST" and form is not None:
        bulletin = run_form(
            form,
            lambda data: actions.generate_bulletin(
                request.user,
                data["scheme"],
                period=data["period"],
                day=data["day"],
                on_portal=data["on_portal"],
            ),
        )
        if bulletin is not None:
            messages.success(request, _("通报已生成，待领导审批后发布。"))
            return redirect("supervision:bulletin", pk=bulletin.pk)
    visible = [
        b
        for b in Bulletin.objects.select_related("scheme").order_by("-period_start")[:100]
        if can(request.user, "supervision.read_bulletin", b)
    ]
    return render(request, "supervision/bulletins.html", {"bulletins": visible, "form": form})


def _access_bulletin(request: HttpRequest, pk: int) -> Bulletin:
    bulletin = Bulletin.objects.filter(pk=pk).select_related("scheme").first()
    if bulletin is None or not can(request.user, "supervision.read_bulletin", bulletin):
        raise Http404
    return bulletin


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _access_bulletin(request, pk)
    if request.method == "POST":
        try:
            actions.approve_bulletin(request.user, bulletin)
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("通报已批准发布。"))
        return redirect("supervision:bulletin", pk=bulletin.pk)
    return render(
        request,
        "supervision/bulletin.html",
        {
            "bulletin": bulletin,
            "headings": exports.headings(),
            "rows": exports.score_rows(bulletin),
            "may_approve": bulletin.state == Bulletin.State.DRAFT
            and can(request.user, "supervision.approve_bulletin", bulletin),
        },
    )


@login_required
def bulletin_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    bulletin = _access_bulletin(request, pk)
    if fmt == "docx":
        content, kind = (
            exports.bulletin_docx(bulletin),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )
    else:
        content, kind = (
            exports.bulletin_xlsx(bulletin),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.pk}.{fmt}"'
    return response


def _chart_period(request: HttpRequest) -> ChartPeriodForm:
    """The period the dashboards cover, from the query string (the last 12 weeks by default)."""
    require(request.user, "supervision.view")
    form = ChartPeriodForm(request.GET or None, now=timezone.now())
    if form.is_bound:
        form.is_valid()
    return form


@login_required
def dashboards(request: HttpRequest) -> HttpResponse:
    form = _chart_period(request)
    window = form.window
    return render(
        request,
        "supervision/charts.html",
        {
            "charts": charts.build(request.user, window) if not form.errors else [],
            "window": window,
            "form": form,
            "query": form.query(),
        },
    )


@login_required
def chart_file(request: HttpRequest, key: str) -> HttpResponse:
    form = _chart_period(request)
    if key not in charts.CHARTS:
        raise Http404
    if form.errors:
        return HttpResponseBadRequest(
            "；".join(str(e) for errors in form.errors.values() for e in errors),
            content_type="text/plain; charset=utf-8",
        )
    (chart,) = charts.build(request.user, form.window, key)
    response = HttpResponse(
        charts.xlsx(chart, form.window),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{key}.xlsx"'
    return response


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """From the workbench: one notification (`pk`) or all of the user's, read."""
    notification = None
    if request.POST.get("pk"):
        try:
            notification = request.user.notifications.get(pk=int(request.POST["pk"]))
        except (ValueError, Notification.DoesNotExist):
            raise Http404 from None
    actions.mark_read(request.user, notification)
    return redirect("portal:workbench")


@login_required
@require_POST
def follow_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """From the workbench: on to the case the notification is about (its staff page), the
    notification read on the way. A POST (a button that looks like a link): a link followed by
    a prefetcher or by mistake must not mark a 红牌 read unseen."""
    notification = (
        request.user.notifications.select_related("alert__clock", "urging").filter(pk=pk).first()
    )
    if notification is None:
        raise Http404
    (notification,) = queries.with_pages([notification])
    if notification.read_at is None:
        actions.mark_read(request.user, notification)
    return redirect(notification.page or "portal:workbench")
