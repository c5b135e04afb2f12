"""View decorators that say who may open a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from openipt import policy

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Require a signed-in user with one of the roles; others get 403."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy.has_role(request.user, *roles):
                raise PermissionDenied("This page is not available to your role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


clinician_required = role_required("therapist", "supervisor")
therapist_required = role_required("therapist")
