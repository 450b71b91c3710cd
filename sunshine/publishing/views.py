from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.clocks.queries import explain_clock
from sunshine.errors import ActionError
from sunshine.org.models import Department, Role
from sunshine.org.permissions import can, departments_for, require

from . import actions, counting, queries, secrecy
from .forms import (
    DraftForm,
    RelatedForm,
    RereviewForm,
    ReviewForm,
    SecrecyForm,
    ValidityForm,
    WithdrawForm,
)
from .models import (
    Attachment,
    Category,
    Column,
    Guide,
    Placement,
    Publication,
    Site,
    Task,
    Theme,
)
from .text import suggest_keywords

PAGE_SIZE = 20


# --- public pages -----------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/index.html",
        {
            "organisations": queries.catalogue_organisations(),
            "sites": Site.objects.all(),
            "latest": queries.latest(limit=10),
            "themes": Theme.objects.filter(parent__isnull=True),
        },
    )


def site_map(request: HttpRequest) -> HttpResponse:
    """网站地图 for people: every site with its columns, every catalogue and guide, the
    services (sitemap.xml is for search engines)."""
    return render(
        request,
        "publishing/site_map.html",
        {
            "sites": Site.objects.prefetch_related("columns"),
            "organisations": queries.catalogue_organisations(),
        },
    )


def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    organisation = get_object_or_404(Department, code=code, is_active=True)
    tree = queries.catalogue_tree(organisation)
    if not tree:
        raise Http404
    return render(
        request,
        "publishing/catalogue.html",
        {"organisation": organisation, "tree": tree, "latest": queries.latest(organisation)},
    )


def category(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    node = get_object_or_404(Category, pk=pk, organisation__code=code, is_active=True)
    page = Paginator(queries.category_items(node), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publishing/listing.html",
        {"heading": str(node), "organisation": node.organisation, "page": page},
    )


def theme(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_object_or_404(Theme, pk=pk)
    ids = [node.pk, *node.children.values_list("pk", flat=True)]
    items = queries.public().filter(theme_id__in=ids).order_by("-published_at", "-pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publishing/listing.html",
        {"heading": _("主题分类：%(t)s") % {"t": node}, "page": page, "theme": node},
    )


def guide(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Guide.objects.select_related("organisation"), organisation__code=code)
    return render(request, "publishing/guide.html", {"guide": item})


def site(request: HttpRequest, code: str) -> HttpResponse:
    current = get_object_or_404(Site, code=code)
    columns = queries.site_columns(current, per_column=6)
    return render(request, "publishing/site.html", {"site": current, "columns": columns})


def column(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    current = get_object_or_404(Column.objects.select_related("site"), site__code=code, slug=slug)
    counting.hit(column_id=current.pk)
    page = Paginator(queries.column_items(current), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publishing/column.html", {"column": current, "page": page})


ITEM_CACHE_SECONDS = 600


def item(request: HttpRequest, pk: int) -> HttpResponse:
    """The item page. Visitors without a session get a cached copy keyed by the page's revision,
    which every change to what the page shows raises, so a withdrawal shows at once.
    """
    key = None
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        stamp = queries.item_stamp(pk)
        if stamp is None:
            raise Http404
        key = f"publishing:item:{pk}:{request.LANGUAGE_CODE}:{stamp}"
        cached = cache.get(key)
        if cached is not None:
            counting.hit(publication_id=pk)
            return HttpResponse(cached)
    publication = queries.visible_item(pk)
    if publication is None:
        raise Http404
    counting.hit(publication_id=publication.pk)
    response = render(
        request,
        "publishing/item.html",
        {
            "item": publication,
            "related": queries.public().filter(related=publication),
            "columns": publication.columns.select_related("site"),
        },
    )
    if key is not None:
        cache.set(key, response.content, ITEM_CACHE_SECONDS)
    return response


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    publication = queries.visible_item(pk)
    if publication is None or publication.state != Publication.State.PUBLISHED:
        raise Http404
    file = get_object_or_404(Attachment, pk=attachment_id, publication=publication)
    return FileResponse(file.file.open("rb"), as_attachment=True, filename=file.name)


def sitemap(request: HttpRequest) -> HttpResponse:
    items = (
        Publication.objects.filter(state=Publication.State.PUBLISHED)
        .only("pk", "published_at")
        .order_by("-published_at")[:50000]
    )
    return render(
        request,
        "publishing/sitemap.xml",
        {"items": items, "base": request.build_absolute_uri("/")[:-1]},
        content_type="application/xml",
    )


# --- 信息直报 and review ------------------------------------------------------------------------


def _staff(request: HttpRequest) -> None:
    require(request.user, "publishing.workbench")


@login_required
def work(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user = request.user
    return render(
        request,
        "publishing/work.html",
        {
            "drafts": queries.drafts_for(user)[:100],
            "tasks": queries.pending_tasks_for(user)[:100],
            "rereviews": queries.rereview_queue(user, timezone.localdate())[:100],
            "managed": queries.managed_for(user)[:50],
            "can_draft": can(user, "publishing.draft", None),
        },
    )


def _draft_for(request: HttpRequest, pk: int) -> Publication:
    publication = get_object_or_404(
        Publication.objects.select_related("organisation", "department"), pk=pk
    )
    if not can(request.user, "publishing.view_draft", publication):
        raise Http404
    return publication


def _draft_form(request: HttpRequest, publication: Publication | None) -> DraftForm:
    units = departments_for(request.user, [Role.INFO_OFFICER])
    department_id = request.POST.get("department") or (
        publication.department_id if publication else None
    )
    try:
        department = units.filter(pk=department_id).first() if department_id else units.first()
    except (ValueError, OverflowError):  # not an id: the form's own field reports it
        department = None
    organisation = actions.organisation_of(department) if department else None
    initial = {}
    if publication is not None:
        initial = {name: getattr(publication, name) for name in actions.DRAFT_FIELDS}
        initial["department"] = publication.department
        initial["columns"] = list(publication.columns.all())
    else:
        initial.update(
            written_on=timezone.localdate(),
            department=department,
            kind=Publication.Kind.INFORMATION,
        )
    form = DraftForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        organisation=organisation,
        initial=initial,
    )
    if publication is not None:
        suggested = suggest_keywords(publication.title, publication.body)
        if suggested:
            form.fields["keywords"].help_text = _("根据标题和正文建议：%(words)s") % {
                "words": " ".join(suggested)
            }
    return form


@login_required
def draft_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _staff(request)
    publication = _draft_for(request, pk) if pk else None
    if publication is not None:
        require(request.user, "publishing.edit", publication)
    else:
        require(request.user, "publishing.draft", None)
    form = _draft_form(request, publication)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        department, upload = data.pop("department"), data.pop("attachment")
        columns = data.pop("columns")
        try:
            with transaction.atomic():
                if publication is None:
                    publication = actions.create_draft(
                        request.user, department=department, columns=columns, **data
                    )
                else:
                    publication = actions.update_draft(
                        request.user, publication, columns=columns, **data
                    )
                if upload:
                    actions.add_attachment(request.user, publication, upload)
        except ActionError as error:
            error.show_on(form)
            if pk is None:
                publication = None
        else:
            messages.success(request, _("已保存。"))
            return redirect("publishing:draft", pk=publication.pk)
    return render(request, "publishing/draft_form.html", {"form": form, "item": publication})


@login_required
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    # Not only the workbench's people: the supervision office reads a draft, its review record
    # and its Art. 26 clock (publishing.view_draft); the page offers them nothing to change.
    publication = _draft_for(request, pk)
    tasks = Task.objects.filter(submission__publication=publication).select_related(
        "step", "reviewer"
    )
    returned = tasks.filter(state__in=[Task.State.RETURNED, Task.State.REJECTED]).last()
    # A reviewer may come here rather than through the task list (the workbench's clocks
    # lead to this page): the step waiting for them is one link away.
    waiting = tasks.filter(state=Task.State.PENDING).select_related("submission").last()
    if waiting is not None:
        waiting.submission.publication = publication
        if not can(request.user, "publishing.review", waiting):
            waiting = None
    return render(
        request,
        "publishing/draft.html",
        {
            "item": publication,
            "tasks": tasks,
            "returned": returned,
            "review_task": waiting,
            "clock_lines": explain_clock(publication.clock) if publication.clock else [],
            "can_edit": can(request.user, "publishing.edit", publication),
            "can_manage": can(request.user, "publishing.manage", publication),
            "can_rereview": can(request.user, "publishing.rereview", publication),
            "withdraw_form": WithdrawForm(),
            "validity_form": ValidityForm(),
            "rereview_form": RereviewForm(),
            "related_form": RelatedForm(
                initial={
                    "index_numbers": "\n".join(
                        publication.related.order_by("pk").values_list("index_number", flat=True)
                    )
                }
            ),
            "placements": publication.placements.select_related("column__site"),
        },
    )


@login_required
@require_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _draft_for(request, pk)
    try:
        actions.submit(request.user, publication)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已提交审核。"))
    return redirect("publishing:draft", pk=pk)


def _findings_view(publication: Publication, findings: list[dict]) -> list[dict]:
    """Each source the pre-check read, with its findings highlighted in place."""
    by_source: dict[str, list[dict]] = {}
    for f in findings:
        by_source.setdefault(f["source"], []).append(f)
    from .text import html_to_text

    sources = [
        ("title", _("标题"), publication.title, False),
        ("body", _("正文"), html_to_text(publication.body), False),
    ]
    sources += [
        (f"attachment:{a.pk}", _("附件：%(n)s") % {"n": a.name}, a.text, True)
        for a in publication.attachments.all()
    ]
    return [
        {
            "label": label,
            "count": len(by_source.get(key, [])),
            "html": secrecy.highlight(text, by_source.get(key, []), excerpts=excerpts),
        }
        for key, label, text, excerpts in sources
        if text or by_source.get(key)
    ]


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    task = get_object_or_404(Task.objects.select_related("step", "submission__publication"), pk=pk)
    publication = _draft_for(request, task.submission.publication_id)
    form_class = SecrecyForm if task.step.is_secrecy else ReviewForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        if task.state != Task.State.PENDING:
            # A second click, or a colleague was quicker: say so rather than "not allowed".
            messages.info(request, _("该环节已处理，请刷新页面。"))
            return redirect("publishing:work")
        require(request.user, "publishing.review", task)
        if form.is_valid():
            data = form.cleaned_data
            verb = request.POST.get("verb")
            try:
                if verb == "approve":
                    actions.approve_task(
                        request.user,
                        task,
                        opinion=data["opinion"],
                        decision=data.get("decision", ""),
                        legal_basis=data.get("legal_basis", ""),
                    )
                elif verb in ("return", "reject"):
                    send_back = actions.return_task if verb == "return" else actions.reject_task
                    send_back(request.user, task, opinion=data["opinion"])
                else:
                    raise ActionError(_("请选择审核操作。"))
            except ActionError as error:
                error.show_on(form)
            else:
                messages.success(request, _("审核意见已记录。"))
                return redirect("publishing:work")
    return render(
        request,
        "publishing/review.html",
        {
            "task": task,
            "item": publication,
            "form": form,
            # Every step, this one included: the record shows where the item stands.
            "history": Task.objects.filter(submission__publication=publication).select_related(
                "step", "reviewer"
            ),
            "findings": _findings_view(publication, task.findings) if task.step.is_secrecy else [],
            "can_review": can(request.user, "publishing.review", task),
        },
    )


def _manage(request: HttpRequest, pk: int, form_class, act) -> HttpResponse:
    publication = _draft_for(request, pk)
    require(request.user, "publishing.manage", publication)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(publication, form.cleaned_data)
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已处理。"))
    else:
        messages.error(request, _("请完整填写表单。"))
    return redirect("publishing:draft", pk=pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        WithdrawForm,
        lambda p, d: actions.withdraw(request.user, p, reason=d["reason"]),
    )


@login_required
@require_POST
def validity(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request, pk, ValidityForm, lambda p, d: actions.set_validity(request.user, p, **d)
    )


@login_required
@require_POST
def related(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        RelatedForm,
        lambda p, d: actions.set_related(request.user, p, index_numbers=d["index_numbers"].split()),
    )


@login_required
@require_POST
def pin(request: HttpRequest, pk: int, placement_id: int) -> HttpResponse:
    """置顶 in one column, or no longer."""
    publication = _draft_for(request, pk)
    placement = get_object_or_404(Placement, pk=placement_id, publication=publication)
    actions.set_pinned(request.user, placement, pinned=request.POST.get("pinned") == "1")
    messages.success(request, _("已处理。"))
    return redirect("publishing:draft", pk=pk)


@login_required
@require_POST
def rereview(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _draft_for(request, pk)
    require(request.user, "publishing.rereview", publication)
    form = RereviewForm(request.POST)
    if form.is_valid():
        try:
            actions.rereview(request.user, publication, **form.cleaned_data)
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("复审结论已记录。"))
    else:
        messages.error(request, _("请完整填写复审结论、意见和依据。"))
    return redirect("publishing:draft", pk=pk)
