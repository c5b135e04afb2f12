"""Create users with a role; the CLI, the admin pages, the portal and the demo share this."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.accounts.models import User

ROLES = tuple(User.Role.values)


@transaction.atomic
def create_user(
    username: str,
    role: str,
    password: str | None,
    *,
    supervisor: str | None = None,
    display_name: str = "",
    email: str = "",
    validate_password: bool = True,
) -> User:
    """Create an active user; without a password, one they set from a reset link.

    No role is made Django staff or superuser: the admin role administers accounts on
    OpenIPT's own pages (/manage/), which never show clinical records.
    """
    if role not in ROLES:
        raise ValidationError({"role": f"Role must be one of {', '.join(ROLES)}, not {role!r}."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"A user called {username!r} already exists."})
    boss = None
    if supervisor:
        if role != User.Role.THERAPIST:
            raise ValidationError({"supervisor": "Only a therapist has a supervisor."})
        boss = User.objects.filter(username=supervisor, role=User.Role.SUPERVISOR).first()
        if boss is None:
            raise ValidationError({"supervisor": f"No supervisor called {supervisor!r}."})
    user = User(
        username=username, role=role, supervisor=boss, display_name=display_name, email=email
    )
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        if validate_password:
            password_validation.validate_password(password, user)
        user.set_password(password)
    user.save()
    return user
