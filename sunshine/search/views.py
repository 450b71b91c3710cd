from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sunshine.org.models import Department
from sunshine.publishing.models import Category, Publication, Theme

from .queries import Filters, search

PAGE_SIZE = 20
MAX_PAGE = 50


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索词"), max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        Department.objects.filter(pk__in=Category.objects.values("organisation")),
        label=_("发布机构"),
        required=False,
        empty_label=_("全部"),
    )
    theme = forms.ModelChoiceField(
        Theme.objects.filter(parent__isnull=False).select_related("parent"),
        label=_("主题分类"),
        required=False,
        empty_label=_("全部"),
    )
    category = forms.ModelChoiceField(
        Category.objects.select_related("parent", "organisation"),
        label=_("目录分类"),
        required=False,
        empty_label=_("全部"),
    )
    kind = forms.ChoiceField(
        label=_("文件类别"),
        required=False,
        choices=[("", _("全部")), *Publication.Kind.choices],
    )
    year = forms.IntegerField(label=_("年份"), required=False, min_value=1990, max_value=2100)


class _Window:
    """Lets Django's paginator show pages of a result whose total is known."""

    def __init__(self, total: int, hits: list, offset: int) -> None:
        self.total, self.hits, self.offset = total, hits, offset

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list:
        return self.hits[key.start - self.offset : key.stop - self.offset]


def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict = {"form": form}
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        filters = Filters(
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            category_id=data["category"].pk if data["category"] else None,
            theme_id=data["theme"].pk if data["theme"] else None,
            year=data["year"],
            kind=data["kind"],
        )
        try:
            number = max(1, min(MAX_PAGE, int(request.GET.get("page", 1))))
        except ValueError:
            number = 1
        offset = (number - 1) * PAGE_SIZE
        found = search(data["q"], filters=filters, limit=PAGE_SIZE, offset=offset)
        page: Page = Paginator(_Window(found.total, found.hits, offset), PAGE_SIZE).get_page(number)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(results=found, page=page, query=query.urlencode())
    return render(request, "search/results.html", context)
