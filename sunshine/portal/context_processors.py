from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": getattr(settings, "SITE_NAME", "阳光政务"),
        "nav_items": items_for(request),
    }
