from django.urls import path

from openipt.portal import views, views_access, views_panel, views_questionnaires

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("tasks/<int:task_id>/", views.task_done, name="task_done"),
    path("log/", views.mood, name="mood"),
    path("progress/", views.progress, name="progress"),
    path("staying-well/", views.staying_well_page, name="staying_well"),
    path("safety-plan/", views.safety_plan_page, name="safety_plan"),
    path(
        "questionnaires/sent/<int:administration_id>/",
        views_questionnaires.sent,
        name="sent",
    ),
    path("questionnaires/<slug:code>/", views_questionnaires.begin, name="begin"),
    path(
        "questionnaires/<slug:code>/<int:position>/",
        views_questionnaires.question,
        name="question",
    ),
    path("questionnaires/<slug:code>/check/", views_questionnaires.check, name="check"),
    path("join/", views_access.join, name="join_start"),
    path("join/<str:code>/", views_access.join_code, name="join"),
    path("sign-in/", views_access.sign_in_request, name="sign_in"),
    path("sign-in/<str:token>/", views_access.sign_in_link, name="sign_in_link"),
    path("clients/<int:client_id>/invite/", views_access.invite, name="invite"),
    path(
        "courses/<int:course_id>/log-chart/",
        views_panel.course_mood_chart,
        name="course_mood_chart",
    ),
]
