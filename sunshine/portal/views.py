from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.org.permissions import require
from sunshine.supervision.queries import unread_notifications, with_pages

from .queries import front_page, workbench_clocks

NOTICES = 20  # the newest unread on the workbench; the count says how many there are


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"front": front_page()})


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    require(request.user, "portal.workbench")
    notices = unread_notifications(request.user)
    return render(
        request,
        "portal/workbench.html",
        {
            "clocks": workbench_clocks(request.user),
            "notices": with_pages(notices[:NOTICES]),
            "notice_count": notices.count(),
        },
    )
