from django.urls import path

from openipt.assessments import views, views_corrections

app_name = "assessments"
urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/resolve/", views.resolve_alert, name="resolve_alert"),
    path("courses/<int:course_id>/measures/", views.course_measures, name="course"),
    path("courses/<int:course_id>/measures/chart/", views.panel_chart, name="panel_chart"),
    path(
        "courses/<int:course_id>/measures/new/<slug:code>/",
        views.enter_questionnaire,
        name="enter",
    ),
    path(
        "courses/<int:course_id>/measures/<int:administration_id>/",
        views.administration_detail,
        name="administration",
    ),
    path(
        "courses/<int:course_id>/measures/<int:administration_id>/correct/",
        views_corrections.correct_administration,
        name="correct",
    ),
]
