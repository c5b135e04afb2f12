from django.urls import path

from openipt.groups import views, views_follow_up, views_sessions

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_new, name="new"),
    path("screening/", views.screening, name="screening"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("<int:group_id>/enrol/", views.enrol, name="enrol"),
    path("<int:group_id>/end/", views.end, name="end"),
    path("<int:group_id>/outcomes/", views.group_outcomes, name="outcomes"),
    path("<int:group_id>/follow-up/", views_follow_up.follow_up, name="follow_up"),
    path("<int:group_id>/sessions/new/", views_sessions.session_new, name="session_new"),
    path("sessions/<int:group_session_id>/", views_sessions.session_detail, name="session"),
    path(
        "sessions/<int:group_session_id>/checklist/",
        views_sessions.checklist,
        name="checklist",
    ),
    path("sessions/<int:group_session_id>/review/", views_sessions.review, name="review"),
    path("members/<int:membership_id>/", views.member, name="member"),
    path("members/<int:membership_id>/leave/", views.member_leave, name="leave"),
    path("members/<int:membership_id>/next-step/", views.member_next_step, name="next_step"),
]
