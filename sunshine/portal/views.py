from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.org.permissions import require

from .queries import front_page, workbench_clocks


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"front": front_page()})


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    require(request.user, "portal.workbench")
    notices = request.user.notifications.filter(read_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "portal/workbench.html",
        {
            "clocks": workbench_clocks(request.user),
            "notices": notices[:20],
            "notice_count": notices.count(),
        },
    )
