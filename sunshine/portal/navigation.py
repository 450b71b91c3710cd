"""The site's main navigation: each app adds its areas from its AppConfig.ready().

An item shows only to visitors whom its permission rule allows, so areas a person cannot enter,
and areas not built, are simply absent.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from sunshine.org.permissions import can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    rule: str | None = None
    order: int = 100


_ITEMS: list[NavItem] = []


def register(label: str, url_name: str, *, rule: str | None = None, order: int = 100) -> None:
    """Add an area; `rule` names the org.permissions action that may see it (None: everyone)."""
    if any(item.url_name == url_name for item in _ITEMS):
        return
    _ITEMS.append(NavItem(label, url_name, rule, order))
    _ITEMS.sort(key=lambda item: item.order)


def items_for(request: HttpRequest) -> list[dict[str, object]]:
    result = [
        {"label": str(item.label), "url": reverse(item.url_name), "current": False}
        for item in _ITEMS
        if item.rule is None or can(request.user, item.rule)
    ]
    # The current area is the one whose address is the longest beginning of this page's.
    matches = [
        i
        for i in result
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(str(i["url"])))
    ]
    if matches:
        max(matches, key=lambda i: len(str(i["url"])))["current"] = True
    return result
