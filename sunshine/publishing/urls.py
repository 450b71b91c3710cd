from django.urls import path

from . import feeds, views

app_name = "publishing"
urlpatterns = [
    path("", views.index, name="index"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("map/", views.site_map, name="site_map"),
    path("org/<str:code>/", views.catalogue, name="catalogue"),
    path("org/<str:code>/c/<int:pk>/", views.category, name="category"),
    path("org/<str:code>/guide/", views.guide, name="guide"),
    path("theme/<int:pk>/", views.theme, name="theme"),
    path("site/<slug:code>/", views.site, name="site"),
    path("site/<slug:code>/<slug:slug>/", views.column, name="column"),
    path("site/<slug:code>/<slug:slug>/atom/", feeds.ColumnFeed(), name="feed"),
    path("site/<slug:code>/<slug:slug>/rss/", feeds.ColumnRss(), name="rss"),
    path("i/<int:pk>/", views.item, name="item"),
    path("i/<int:pk>/a/<int:attachment_id>/", views.attachment, name="attachment"),
    path("work/", views.work, name="work"),
    path("work/new/", views.draft_edit, name="draft_new"),
    path("work/<int:pk>/", views.draft, name="draft"),
    path("work/<int:pk>/edit/", views.draft_edit, name="draft_edit"),
    path("work/<int:pk>/submit/", views.draft_submit, name="submit"),
    path("work/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("work/<int:pk>/validity/", views.validity, name="validity"),
    path("work/<int:pk>/related/", views.related, name="related"),
    path("work/<int:pk>/pin/<int:placement_id>/", views.pin, name="pin"),
    path("work/<int:pk>/rereview/", views.rereview, name="rereview"),
    path("work/task/<int:pk>/", views.review, name="review"),
]
