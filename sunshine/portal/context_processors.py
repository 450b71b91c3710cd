from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Not "site_name": Django's auth views put the request's host under that name.
    return {
        "portal_name": getattr(settings, "SITE_NAME", "阳光政务"),
        "nav_items": items_for(request),
    }
