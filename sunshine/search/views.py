import math

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sunshine.publishing.models import Publication
from sunshine.publishing.queries import catalogue_organisations, category_choices, theme_choices

from .queries import Filters, Results, search
from .tokens import MAX_QUERY_LENGTH

PAGE_SIZE = 20
MAX_PAGE = 50


def _themes() -> list:
    return [("", _("全部")), *theme_choices()]


def _categories() -> list:
    return [("", _("全部")), *category_choices(catalogue_organisations())]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("检索词"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={
            "max_length": _(
                "检索词不能超过 %(limit_value)d 个字（现有 %(show_value)d 个），请缩短后再检索。"
            )
        },
    )
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

        def find(number: int) -> Results:
            return search(
                data["q"], filters=filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
            )

        found = find(number)
        last = max(1, math.ceil(found.total / PAGE_SIZE))
        if found.total and number > last:
            # Past the end: the last page, as Paginator.get_page gives other listings.
            number = last
            found = find(number)
        window = _Window(found.total, found.hits, (number - 1) * PAGE_SIZE)
        page: Page = Paginator(window, PAGE_SIZE).get_page(number)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(results=found, page=page, query=query.urlencode())
    elif form.is_valid() and any(v for k, v in form.cleaned_data.items() if k != "q"):
        context["needs_query"] = True  # filters narrow a search; they are not one
    return render(request, "search/results.html", context)
