from django.urls import path, re_path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/urge/", views.urge, name="urge"),
    path("alerts/<int:pk>/close/", views.close, name="close"),
    path("anomalies/<int:pk>/", views.anomaly_detail, name="anomaly"),
    path("charts/", views.dashboards, name="charts"),
    re_path(r"^charts/(?P<key>[a-z_]+)\.xlsx$", views.chart_file, name="chart_file"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/answer/", views.answer, name="answer"),
    path("notifications/read/", views.mark_read, name="read_notifications"),
    path("notifications/<int:pk>/", views.follow_notification, name="notification"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    re_path(
        r"^bulletins/(?P<pk>\d+)\.(?P<fmt>docx|xlsx)$", views.bulletin_file, name="bulletin_file"
    ),
]
