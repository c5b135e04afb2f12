from django.urls import path

from openipt.clients import views, views_safety

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:client_id>/", views.client_detail, name="detail"),
    path("<int:client_id>/edit/", views.client_edit, name="edit"),
    path("<int:client_id>/safety-plan/", views_safety.safety_plan, name="safety_plan"),
    path(
        "<int:client_id>/safety-plan/<int:safetyplan_id>/",
        views_safety.safety_plan_version,
        name="safety_plan_version",
    ),
    path("<int:client_id>/safety-plan.pdf", views_safety.safety_plan_pdf, name="safety_plan_pdf"),
]
