"""Client records over REST: list, create, read and change.

No `from __future__ import annotations` in routers: django-ninja reads the annotations
at run time.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, StrictBool, StrictStr

from openipt import policy
from openipt.api.schemas import responses
from openipt.clients import safety, services
from openipt.clients.access import get_client_for_user
from openipt.clients.models import Client
from openipt.courses.schemas import BoundedPagination

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    name: str
    record_number: str
    date_of_birth: date | None
    email: str
    primary_therapist_id: int
    show_progress_to_client: bool
    created_at: datetime
    updated_at: datetime


class ClientIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(..., min_length=1, max_length=200)
    record_number: StrictStr = Field("", max_length=40)
    date_of_birth: date | None = None
    email: StrictStr = Field("", max_length=254)
    show_progress_to_client: StrictBool = True


class ClientPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(None, min_length=1, max_length=200)
    record_number: StrictStr | None = Field(None, min_length=1, max_length=40)
    date_of_birth: date | None = None
    email: StrictStr | None = Field(None, max_length=254)
    show_progress_to_client: StrictBool | None = None


NOT_NULL = ("name", "record_number", "email", "show_progress_to_client")


class ClientFilter(Schema):
    q: str = Field("", max_length=200, description="Part of a name, or a record number")


@router.get("", response=responses(list[ClientOut]), summary="List the clients you may see")
@paginate(BoundedPagination)
def list_clients(request: HttpRequest, filters: Query[ClientFilter]):
    if policy.is_client(request.user):
        return Client.objects.none()  # clients see their own record in the portal
    return Client.objects.visible_to(request.user).search(filters.q).order_by("name", "id")


@router.post("", response=responses(ClientOut, 201), summary="Create a client")
def create_client(request: HttpRequest, payload: ClientIn):
    return Status(201, services.create_client(request.user, **payload.model_dump()))


@router.get("/{client_id}", response=responses(ClientOut), summary="Read a client")
def get_client(request: HttpRequest, client_id: int):
    if policy.is_client(request.user):
        raise Http404("No such client")  # the staff API; clients use the portal
    return get_client_for_user(request, client_id)


@router.patch("/{client_id}", response=responses(ClientOut), summary="Change a client")
def patch_client(request: HttpRequest, client_id: int, payload: ClientPatch):
    client = get_client_for_user(request, client_id, write=True)
    changes = payload.model_dump(exclude_unset=True)
    nulls = sorted(key for key in NOT_NULL if key in changes and changes[key] is None)
    if nulls:
        raise ValidationError({key: "This field cannot be null." for key in nulls})
    return services.update_client(request.user, client, **changes)


class SafetyPlanOut(Schema):
    id: int
    version: int
    warning_signs: str
    coping_strategies: str
    distractions: str
    people_to_ask: str
    professionals: str
    safe_environment: str
    reasons_for_living: str
    shared_with_client: bool
    made_by_id: int
    made_at: datetime


class SafetyPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    warning_signs: StrictStr = Field("", max_length=2000)
    coping_strategies: StrictStr = Field("", max_length=2000)
    distractions: StrictStr = Field("", max_length=2000)
    people_to_ask: StrictStr = Field("", max_length=2000)
    professionals: StrictStr = Field("", max_length=2000)
    safe_environment: StrictStr = Field("", max_length=2000)
    reasons_for_living: StrictStr = Field("", max_length=2000)
    shared_with_client: StrictBool = True


@router.get(
    "/{client_id}/safety-plan",
    response=responses(list[SafetyPlanOut]),
    summary="List a client's safety plan versions, newest (the plan in use) first",
)
def list_safety_plans(request: HttpRequest, client_id: int):
    if policy.is_client(request.user):
        raise Http404("No such client")  # clients see their shared plan in the portal
    client = get_client_for_user(request, client_id)
    return list(client.safety_plans.order_by("-version"))


@router.post(
    "/{client_id}/safety-plan",
    response=responses(SafetyPlanOut, 201),
    summary="Save the client's safety plan as a new version",
)
def save_safety_plan(request: HttpRequest, client_id: int, payload: SafetyPlanIn):
    client = get_client_for_user(request, client_id, write=True)
    return Status(201, safety.save_plan(request.user, client, **payload.model_dump()))
