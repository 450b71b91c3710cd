from django.urls import path

from . import open311, views

app_name = "appeals"

FMT = "<str:fmt>"
urlpatterns = [
    path("", views.index, name="index"),
    path("write/", views.write, name="write"),
    path("write/<slug:mailbox>/", views.write, name="write_mailbox"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:serial>/", views.status, name="status"),
    path("mine/", views.mine, name="mine"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("stats/", views.stats, name="stats"),
    path("desk/", views.desk, name="desk"),
    path("intake/", views.intake, name="intake"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/publish/", views.publish, name="publish"),
    path("tickets/<int:pk>/<slug:action>/", views.act, name="act"),
    path("open311/v2/", open311.root, name="open311_root"),
    path(f"open311/v2/discovery.{FMT}", open311.discovery, name="open311_discovery"),
    path(f"open311/v2/services.{FMT}", open311.services, name="open311_services"),
    path(
        f"open311/v2/services/<str:code>.{FMT}",
        open311.service_definition,
        name="open311_service",
    ),
    path(f"open311/v2/requests.{FMT}", open311.requests, name="open311_requests"),
    path(
        f"open311/v2/requests/<str:serial>.{FMT}", open311.service_request, name="open311_request"
    ),
    path(f"open311/v2/tokens/<str:token>.{FMT}", open311.token, name="open311_token"),
]
