from django.urls import path

from openipt.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("sources/", views.sources, name="sources"),
]
