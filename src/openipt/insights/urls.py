from django.urls import path

from openipt.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("lists/<slug:kind>/", views.course_list, name="list"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes.csv", views.export, {"kind": "csv"}, name="outcomes_csv"),
    path("outcomes.parquet", views.export, {"kind": "parquet"}, name="outcomes_parquet"),
]
