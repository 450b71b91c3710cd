from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sunshine.publishing.models import Category, Publication, Theme
from sunshine.publishing.queries import catalogue_organisations

from .queries import Filters, search

PAGE_SIZE = 20
MAX_PAGE = 50


def _grouped(rows: list[tuple[str, int, str]]) -> list:
    """Choices grouped (optgroup) by their first element, in the order the rows come."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for group, pk, name in rows:
        groups.setdefault(group, []).append((pk, name))
    return [("", _("全部")), *groups.items()]


def _themes() -> list:
    """The sub-themes under their theme (国务院组织机构 › 国务院办公厅 …), in the theme order."""
    rows = Theme.objects.filter(parent__isnull=False).order_by(
        "parent__sort_order", "parent", "sort_order", "pk"
    )
    return _grouped(list(rows.values_list("parent__name", "pk", "name")))


def _categories() -> list:
    """Each organisation's catalogue under its name (two units both have a 法规文件), every
    category after its parent."""
    rows = Category.objects.filter(is_active=True).order_by("sort_order", "pk")
    children: dict[int | None, list[tuple[int, str, str]]] = {}
    for pk, parent, organisation, name in rows.values_list(
        "pk", "parent", "organisation__name", "name"
    ):
        children.setdefault(parent, []).append((pk, organisation, name))
    ordered: list[tuple[str, int, str]] = []

    def walk(parent: int | None, prefix: str) -> None:
        for pk, organisation, name in children.get(parent, []):
            ordered.append((organisation, pk, prefix + name))
            walk(pk, f"{prefix}{name} / ")

    walk(None, "")
    return _grouped(sorted(ordered, key=lambda row: row[0]))  # stable: the tree order stays


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索词"), max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        catalogue_organisations(),
        label=_("发布机构"),
        required=False,
        empty_label=_("全部"),
    )
    theme = forms.TypedChoiceField(
        label=_("主题分类"), required=False, coerce=int, empty_value=None, choices=_themes
    )
    category = forms.TypedChoiceField(
        label=_("目录分类"), required=False, coerce=int, empty_value=None, choices=_categories
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
            category_id=data["category"],
            theme_id=data["theme"],
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
    elif form.is_valid() and any(v for k, v in form.cleaned_data.items() if k != "q"):
        context["needs_query"] = True  # filters narrow a search; they are not one
    return render(request, "search/results.html", context)
