from django.urls import path

from openipt.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.csv", views.export, name="export"),
    path("changes/", views.changes, name="changes"),
]
