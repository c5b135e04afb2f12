"""The Django admin is for the operator's superuser only, and edits no account.

Accounts are administered on OpenIPT's own pages (/manage/), whose rules an admin cannot
get around: no changing one's own role or supervisor, no moving a token to another owner,
no typing a password or removing a second factor. So User, ApiToken and allauth's
Authenticator are not registered here, and the site opens to active superusers only
(none of the application's roles is one; `django-admin createsuperuser` makes one).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.http import HttpRequest


def superuser_only(request: HttpRequest) -> bool:
    """Return True for an active superuser: the admin role is not let in."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)
admin.site.has_permission = superuser_only  # type: ignore[method-assign]
