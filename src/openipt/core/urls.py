from django.urls import path

from openipt.core import views

app_name = "core"
urlpatterns = [
    path("me/", views.client_home, name="client_home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
