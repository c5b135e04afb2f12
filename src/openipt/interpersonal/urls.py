"""Pages of the inventory, circle, timeline and formulation, mounted under /courses/."""

from django.urls import path

from openipt.interpersonal import views, views_formulation, views_timeline

app_name = "interpersonal"
urlpatterns = [
    path("<int:course_id>/inventory/", views.inventory, name="inventory"),
    path("<int:course_id>/inventory/add/", views.person_add, name="person_add"),
    path("<int:course_id>/inventory/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path(
        "<int:course_id>/inventory/<int:person_id>/delete/",
        views.person_delete,
        name="person_delete",
    ),
    path("<int:course_id>/circle/", views.circle, name="circle"),
    path("<int:course_id>/panel-charts/", views.panel_charts_view, name="panel_charts"),
    path("<int:course_id>/circle/snapshot/", views.snapshot_take, name="snapshot_take"),
    path("<int:course_id>/timeline/", views_timeline.timeline, name="timeline"),
    path("<int:course_id>/timeline/onset/", views_timeline.onset_set, name="onset_set"),
    path("<int:course_id>/timeline/events/add/", views_timeline.event_add, name="event_add"),
    path(
        "<int:course_id>/timeline/events/<int:event_id>/edit/",
        views_timeline.event_edit,
        name="event_edit",
    ),
    path(
        "<int:course_id>/timeline/events/<int:event_id>/delete/",
        views_timeline.event_delete,
        name="event_delete",
    ),
    path("<int:course_id>/formulation/", views_formulation.formulation, name="formulation"),
    path("<int:course_id>/formulation/focus/", views_formulation.focus_choose, name="focus_choose"),
]
