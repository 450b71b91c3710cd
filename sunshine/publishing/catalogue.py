"""The data the catalogue starts from: the gov.cn 主题分类 and the default catalogue of 条例
Art. 20 (the fifteen kinds of information every agency publishes), both shipped as JSON.
"""

import json
from functools import cache
from pathlib import Path

from sunshine.org.models import Department

from .models import Category, Theme

DATA = Path(__file__).parent / "data"
Tree = list[tuple[str, list[str]]]


@cache
def read_tree(name: str) -> Tree:
    return [(top, children) for top, children in json.loads((DATA / name).read_text("utf-8"))]


def load_themes(tree: Tree | None = None) -> None:
    """Create the themes not there yet (local additions are kept)."""
    for i, (name, children) in enumerate(tree or read_tree("themes.json")):
        parent, _created = Theme.objects.get_or_create(
            parent=None, name=name, defaults={"sort_order": i}
        )
        for j, child in enumerate(children):
            Theme.objects.get_or_create(parent=parent, name=child, defaults={"sort_order": j})


def ensure_catalogue(organisation: Department, tree: Tree | None = None) -> None:
    """Give an organisation the categories of `tree` (Art. 20 by default) that it lacks."""
    for i, (name, children) in enumerate(tree or read_tree("catalogue_art20.json")):
        parent, _created = Category.objects.get_or_create(
            organisation=organisation, parent=None, name=name, defaults={"sort_order": i}
        )
        for j, child in enumerate(children):
            Category.objects.get_or_create(
                organisation=organisation, parent=parent, name=child, defaults={"sort_order": j}
            )
