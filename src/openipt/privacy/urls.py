from django.urls import path

from openipt.privacy import views, views_notes, views_rights

app_name = "privacy"
urlpatterns = [
    path("clients/<int:client_id>/", views.client_privacy, name="client"),
    path("clients/<int:client_id>/consents/", views.consent_list, name="consents"),
    path("clients/<int:client_id>/consents/new/", views.consent_add, name="consent_add"),
    path(
        "clients/<int:client_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("clients/<int:client_id>/disclosures/", views.disclosure_list, name="disclosures"),
    path("clients/<int:client_id>/disclosures/new/", views.disclosure_add, name="disclosure_add"),
    path("clients/<int:client_id>/export/", views_rights.export_client, name="export"),
    path("clients/<int:client_id>/erase/", views_rights.erase_client, name="erase"),
    path(
        "clients/<int:client_id>/erase/cancel/",
        views_rights.cancel_erasure,
        name="cancel_erasure",
    ),
    path("courses/<int:course_id>/notes/", views_notes.course_notes, name="notes"),
    path(
        "courses/<int:course_id>/notes/<int:note_id>/edit/",
        views_notes.note_edit,
        name="note_edit",
    ),
]
