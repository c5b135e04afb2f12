"""A URL map with the portal router mounted, until the lead registers it in openipt.api.core.

Every other URL is the project's own, so middleware and error pages behave as in production.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from openipt import urls as project_urls
from openipt.api import core
from openipt.api.portal import router

api = NinjaAPI(
    title="OpenIPT API (portal tests)",
    version="1-portal-tests",
    auth=core.api.auth,
    urls_namespace="api",
)
for exception, handler in core.api._exception_handlers.items():
    api.add_exception_handler(exception, handler)
api.add_router("/", router)


def _not_api(pattern: URLPattern | URLResolver) -> bool:
    return getattr(pattern, "namespace", None) != "api"


urlpatterns = [p for p in project_urls.urlpatterns if _not_api(p)] + [
    path("api/v1/", api.urls),
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
