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
    result = []
    for item in _ITEMS:
        if item.rule is not None and not can(request.user, item.rule):
            continue
        url = reverse(item.url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        result.append({"label": str(item.label), "url": url, "current": current})
    return result
