"""URLs of the admin pages (/manage/) and of each person's own API tokens (/account/tokens/)."""

from django.urls import path

from openipt.accounts import admin_pages, token_pages

manage_patterns = [
    path("", admin_pages.users, name="users"),
    path("users/new/", admin_pages.user_create, name="user_create"),
    path("users/<int:user_id>/", admin_pages.user_edit, name="user_edit"),
    path(
        "users/<int:user_id>/password-reset/",
        admin_pages.user_password_reset,
        name="user_password_reset",
    ),
    path("roles/", admin_pages.roles, name="roles"),
    path("teams/", admin_pages.teams, name="teams"),
    path("tokens/", admin_pages.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", admin_pages.token_revoke, name="token_revoke"),
    path("events/", admin_pages.events, name="events"),
]

token_patterns = [
    path("", token_pages.token_list, name="list"),
    path("<int:token_id>/revoke/", token_pages.token_revoke, name="revoke"),
]
