"""Create users with a role; the CLI, the admin pages, the portal and the demo share this."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.accounts.models import User
from openipt.core.errors import Problems

ROLES = tuple(User.Role.values)
# Roles that have a supervisor: therapists, and the facilitators of IPT groups.
SUPERVISED_ROLES = (User.Role.THERAPIST, User.Role.FACILITATOR)


@transaction.atomic
def _supervisor_named(supervisor: str | None, role: str) -> User | None:
    if not supervisor:
        return None
    if role not in SUPERVISED_ROLES:
        raise ValidationError({"supervisor": "Only a therapist or a facilitator has a supervisor."})
    boss = User.objects.filter(username=supervisor, role=User.Role.SUPERVISOR).first()
    if boss is None:
        raise ValidationError({"supervisor": f"No supervisor called {supervisor!r}."})
    return boss


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
    problems = Problems()
    if role not in ROLES:
        with problems.check():
            raise ValidationError(
                {"role": f"Role must be one of {', '.join(ROLES)}, not {role!r}."}
            )
    if User.objects.filter(username__iexact=username).exists():
        with problems.check():
            raise ValidationError({"username": f"A user called {username!r} already exists."})
    boss = None
    with problems.check():
        boss = _supervisor_named(supervisor, role)
    user = User(
        username=username, role=role, supervisor=boss, display_name=display_name, email=email
    )
    taken = "username" in problems  # said once already; full_clean would repeat it
    with problems.check():
        user.full_clean(exclude=["password", "username"] if taken else ["password"])
    if password is not None and validate_password:
        with problems.check():
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from error
    problems.raise_any()
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user
