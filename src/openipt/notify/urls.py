from django.urls import path

from openipt.notify import views

app_name = "notify"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notification_read_all, name="read_all"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="open"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge_alert, name="acknowledge"),
    path("clients/<int:client_id>/reminders/", views.client_reminders, name="client_reminders"),
]
