from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from sunshine.org.permissions import can


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas this visitor may enter; areas not built yet are simply absent."""
    user = request.user
    items = [(_("首页"), reverse("portal:home"))]
    if can(user, "portal.workbench"):
        items.append((_("工作台"), reverse("portal:workbench")))
    if can(user, "admin.site"):
        items.append((_("系统管理"), reverse("admin:index")))
    return {
        "site_name": getattr(settings, "SITE_NAME", "阳光政务"),
        "nav_items": [
            {"label": label, "url": url, "current": request.path == url} for label, url in items
        ],
    }
