from django.urls import path

from . import views

app_name = "foi"
urlpatterns = [
    path("", views.apply, name="apply"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("r/<int:pk>/", views.detail, name="detail"),
    path("r/<int:pk>/letter.<str:fmt>", views.letter, name="letter"),
    path("r/<int:pk>/files/<int:attachment>/", views.attachment, name="attachment"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.register, name="register"),
    path("staff/<int:pk>/", views.manage, name="manage"),
    path("staff/<int:pk>/<str:step>/", views.act, name="act"),
]
