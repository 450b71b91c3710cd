from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.clocks.queries import Status, open_clocks_for
from sunshine.org.permissions import require

from .queries import front_page


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"front": front_page()})


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    require(request.user, "portal.workbench")
    clocks = list(open_clocks_for(request.user)[:200])
    for clock in clocks:
        clock.status_label = Status.LABELS[clock.status]
    notices = request.user.notifications.filter(read_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "portal/workbench.html",
        {
            "clocks": clocks,
            "notices": notices[:20],
            "notice_count": notices.count(),
        },
    )
