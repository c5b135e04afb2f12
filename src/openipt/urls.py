"""URL map: one include per area, the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from openipt.accounts.urls import manage_patterns, token_patterns
from openipt.api.core import api
from openipt.core import views as core_views

admin.site.site_header = "OpenIPT administration"
admin.site.site_title = "OpenIPT admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("openipt.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("manage/jobs/", include("openipt.jobs.urls")),
    path("manage/", include((manage_patterns, "manage"))),
    path("account/tokens/", include((token_patterns, "tokens"))),
    path("clients/", include("openipt.clients.urls")),
    path("courses/", include("openipt.courses.urls")),
    path("courses/", include("openipt.interpersonal.urls")),
    path("", include("openipt.assessments.urls")),
    path("", include("openipt.notify.urls")),
    path("portal/", include("openipt.portal.urls")),
    path("audit/", include("openipt.audit.urls")),
    path("privacy/", include("openipt.privacy.urls")),
    path("insights/", include("openipt.insights.urls")),
    path("groups/", include("openipt.groups.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "openipt.core.views.error_400"
handler403 = "openipt.core.views.error_403"
handler404 = "openipt.core.views.error_404"
handler500 = "openipt.core.views.error_500"
