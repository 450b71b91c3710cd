from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sunshine.errors import ActionError
from sunshine.org.models import Department
from sunshine.org.permissions import can

from . import actions, exports, figures
from .forms import ReportForm, SectionThreeForm
from .models import AnnualReport
from .queries import failures, section_two_rows, tables_of
from .tables import (
    COLUMN_LABELS,
    REMEDY_GROUPS,
    REMEDY_RESULTS,
    Scope,
    holds_requests,
    section_three,
)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _report(request: HttpRequest, code: str, year: int) -> AnnualReport:
    organisation = get_object_or_404(Department, code=code)
    report = AnnualReport.objects.filter(organisation=organisation, year=year).first()
    if report is None:
        if not can(request.user, "reports.edit", organisation):
            raise Http404
        report = AnnualReport(organisation=organisation, year=year)
    if not can(request.user, "reports.view", report) and not can(
        request.user, "reports.edit", organisation
    ):
        raise Http404
    return report


def index(request: HttpRequest) -> HttpResponse:
    published = (
        AnnualReport.objects.filter(state=AnnualReport.State.FINAL)
        .select_related("organisation")
        .order_by("-year", "organisation__path")
    )
    editable = []
    if request.user.is_authenticated and can(request.user, "reports.edit"):
        editable = [
            d
            for d in Department.objects.exclude(kind=Department.Kind.SECTION)
            if can(request.user, "reports.edit", d)
        ]
    return render(
        request,
        "reports/index.html",
        {"published": published, "editable": editable, "year": timezone.localdate().year - 1},
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _report(request, code, year)
    editing = report.state == AnnualReport.State.DRAFT and can(
        request.user, "reports.edit", report.organisation
    )
    tables = tables_of(report)
    offered = figures.offered(report, tables) if editing else {}
    form = None
    if editing:
        initial = {
            "overview": report.overview,
            "problems": report.problems,
            "other": report.other,
            **report.section_two,
        }
        form = ReportForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            texts = {k: form.cleaned_data[k] for k in actions.TEXT_FIELDS}
            # Without JavaScript a figure's button saves the text with the sentence appended.
            chosen = figures.sentence(offered, request.POST.get("insert", ""))
            if chosen:
                section, sentence = chosen
                texts[section] = "\n".join(filter(None, [texts[section].rstrip(), sentence]))
            try:
                actions.save_report(
                    request.user,
                    report.organisation,
                    year,
                    texts=texts,
                    section_two=form.section_two(),
                )
            except ActionError as error:
                error.show_on(form)
            else:
                messages.success(request, _("已插入数字并保存。") if chosen else _("报告已保存。"))
                url = reverse("reports:report", args=[code, year])
                return redirect(f"{url}#id_{chosen[0]}" if chosen else url)
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "title": exports.title_of(report),
            "form": form,
            "sections": [(form[name], offered[name]) for name in actions.TEXT_FIELDS]
            if form
            else [],
            "three": exports.three_rows(tables),
            "entered": tables["entered"],
            "entered_note": exports.entered_note(report) if tables["entered"] else "",
            "columns": COLUMN_LABELS,
            "four": [v for group in tables["four"] for v in group],
            "remedy_groups": REMEDY_GROUPS,
            "remedy_results": REMEDY_RESULTS,
            "two": section_two_rows(report, tables),
            "failures": failures(report, tables) if editing else [],
            "can_finalise": editing
            and report.pk
            and can(request.user, "reports.finalise", report.organisation),
            "can_enter": editing
            and can(request.user, "reports.enter", report.organisation)
            and (tables["entered"] or not holds_requests(tables["three"])),
        },
    )


@require_http_methods(["GET", "POST"])
def enter_three(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Section 三 typed in for a year before the platform (see actions.enter_section_three)."""
    report = _report(request, code, year)
    if report.state != AnnualReport.State.DRAFT or not can(
        request.user, "reports.enter", report.organisation
    ):
        raise Http404
    form = SectionThreeForm(
        request.POST or None, initial=SectionThreeForm.initial_from(report.entered_three)
    )
    if request.method == "POST" and ("withdraw" in request.POST or form.is_valid()):
        table = None if "withdraw" in request.POST else form.table()
        try:
            actions.enter_section_three(request.user, report.organisation, year, table)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            done = _("已撤销人工填报的第三部分。") if table is None else _("第三部分已填报。")
            messages.success(request, done)
            return redirect("reports:report", code=code, year=year)
    return render(
        request,
        "reports/three.html",
        {
            "report": report,
            "title": exports.title_of(report),
            "form": form,
            "columns": COLUMN_LABELS,
            "computed": holds_requests(section_three(Scope(report.organisation, year))),
        },
    )


@require_POST
def finalise(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _report(request, code, year)
    if report.pk is None:
        raise Http404
    try:
        actions.finalise_report(request.user, report)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("报告已定稿并在门户发布。"))
    return redirect("reports:report", code=code, year=year)


def download(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    report = _report(request, code, year)
    if fmt not in CONTENT_TYPES:
        raise Http404
    data = getattr(exports, fmt)(report, tables_of(report))
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="report-{code}-{year}.{fmt}"'
    return response
