from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "阳光政务 · 系统管理"
admin.site.site_title = "阳光政务"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("sunshine.accounts.urls")),
    path("gk/", include("sunshine.publishing.urls")),
    path("search/", include("sunshine.search.urls")),
    path("foi/", include("sunshine.foi.urls")),
    path("hall/", include("sunshine.hall.urls")),
    path("reports/", include("sunshine.reports.urls")),
    path("appeals/", include("sunshine.appeals.urls")),
    path("supervision/", include("sunshine.supervision.urls")),
    path("", include("sunshine.ops.urls")),
    path("", include("sunshine.portal.urls")),
]
