"""The NinjaAPI instance: authentication, error handling and the routers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from openipt.api import auth as bearer
from openipt.core.errors import messages_of, summary_of
from openipt.core.security import lacks_required_mfa
from openipt.core.throttling import UserRateThrottle, count_failed_auth


class TokenAuth(bearer.TokenAuth):
    """Bearer tokens, refused (403) for staff who must but do not yet use MFA."""

    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        user = super().authenticate(request, token)
        if user is not None and lacks_required_mfa(user):
            raise PermissionDenied(
                "Two-factor authentication is required for staff accounts: set it up at "
                "/accounts/2fa/ before using the API."
            )
        return user


api = NinjaAPI(
    title="OpenIPT API",
    version="1",
    description=(
        "REST API of OpenIPT. Authenticate with a personal access token "
        "(`openipt token create --user NAME`) sent as `Authorization: Bearer <token>`."
    ),
    auth=[TokenAuth(), django_auth],
    throttle=[UserRateThrottle()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": summary_of(exc), "errors": messages_of(exc)}, status=400
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload"))
        problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    detail = "Invalid request. " + "; ".join(problems)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    wait = count_failed_auth(request)
    if wait is not None:
        response = api.create_response(
            request, {"detail": "Too many failed authentications: wait and retry."}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    return api.create_response(
        request, {"detail": "Authentication required: send a valid bearer token."}, status=401
    )


def _register_routers() -> None:
    from openipt.api.assessments import router as assessments_router
    from openipt.api.clients import router as clients_router
    from openipt.api.courses import router as courses_router
    from openipt.api.groups import router as groups_router
    from openipt.api.insights import router as insights_router
    from openipt.api.interpersonal import router as interpersonal_router
    from openipt.api.notify import router as notify_router
    from openipt.api.portal import router as portal_router
    from openipt.api.privacy import router as privacy_router

    api.add_router("/clients", clients_router)
    # These routers carry full paths (e.g. /courses/{id}/inventory) so that one resource
    # can be served by the area that owns its rules.
    api.add_router("/", courses_router)
    api.add_router("/", interpersonal_router)
    api.add_router("/", assessments_router)
    api.add_router("/", privacy_router)
    api.add_router("/", insights_router)
    api.add_router("/", portal_router)
    api.add_router("/", groups_router)
    api.add_router("/", notify_router)


_register_routers()
