from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/<int:year>/", views.report, name="report"),
    path("<str:code>/<int:year>/three/", views.enter_three, name="enter_three"),
    path("<str:code>/<int:year>/finalise/", views.finalise, name="finalise"),
    path("<str:code>/<int:year>/report.<str:fmt>", views.download, name="download"),
]
