from django.urls import path

from openipt.courses import letter, views, views_letter, views_records, views_sessions

app_name = "courses"
urlpatterns = [
    path("", views.caseload_view, name="caseload"),
    path("new/<int:client_id>/", views.start_course, name="start"),
    path("<int:course_id>/", views.course_detail, name="detail"),
    path("<int:course_id>/sessions/new/", views.session_new, name="session_new"),
    path(
        "<int:course_id>/sessions/<int:session_id>/", views_sessions.session_detail, name="session"
    ),
    path(
        "<int:course_id>/sessions/<int:session_id>/edit/",
        views_sessions.session_edit,
        name="session_edit",
    ),
    path("<int:course_id>/tasks/<slug:task_id>/", views.toggle_task, name="task"),
    path("<int:course_id>/contract/", views_records.contract, name="contract"),
    path("<int:course_id>/focus/", views_records.focus, name="focus"),
    path("<int:course_id>/goals/", views_records.goals, name="goals"),
    path("<int:course_id>/termination/", views_records.termination, name="termination"),
    path("<int:course_id>/sick-role/", views_records.sick_role, name="sick_role"),
    path("<int:course_id>/history/", views_records.history, name="history"),
    path("<int:course_id>/medication/", views_records.medication, name="medication"),
    path("<int:course_id>/details/", views_records.details, name="details"),
    path("<int:course_id>/close/", views_sessions.close_course, name="close"),
    path("<int:course_id>/amendments/", views_sessions.amendments, name="amendments"),
    path("<int:course_id>/letter/", letter.letter, name="letter"),
    path("<int:course_id>/letter.pdf", letter.letter_pdf, name="letter_pdf"),
    path("<int:course_id>/letter/edit/", views_letter.letter_edit, name="letter_edit"),
    path("<int:course_id>/letter/send/", views_letter.letter_send, name="letter_send"),
    path(
        "<int:course_id>/letters/<int:sentletter_id>.pdf",
        views_letter.sent_letter_pdf,
        name="sent_letter_pdf",
    ),
]
