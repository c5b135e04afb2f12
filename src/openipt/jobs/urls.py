from django.urls import path

from openipt.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.jobs, name="list"),
    path("failed/<int:failed_job_id>/dismiss/", views.dismiss_failed, name="dismiss"),
]
