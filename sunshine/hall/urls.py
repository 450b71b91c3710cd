from django.urls import path

from . import views

app_name = "hall"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/apply/", views.apply, name="apply"),
    path("materials/<int:pk>/<str:kind>/", views.material_form, name="material_form"),
    path("my/", views.mine, name="mine"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/edit/", views.edit, name="edit"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/discard/", views.discard, name="discard"),
    path("applications/<int:pk>/intake/", views.intake, name="intake"),
    path("applications/<int:pk>/correct/", views.correct, name="correct"),
    path("applications/<int:pk>/special/", views.special, name="special"),
    path("applications/<int:pk>/extend/", views.extend, name="extend"),
    path("applications/<int:pk>/rate/", views.rate, name="rate"),
    path("special/<int:pk>/end/", views.end_special, name="end_special"),
    path("tasks/<int:pk>/sign/", views.sign, name="sign"),
    path("notices/<int:pk>.<str:fmt>", views.notice, name="notice"),
    path("files/<int:pk>/", views.material_file, name="file"),
    path("office/", views.office, name="office"),
    path("follow-ups/<int:pk>/", views.follow_up, name="follow_up"),
    path("ratings/", views.ratings, name="ratings"),
]
