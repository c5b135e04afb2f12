"""Consent records over REST: list, record and withdraw.

No `from __future__ import annotations` in routers: django-ninja reads the annotations
at run time.
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict, StrictStr

from openipt.api.schemas import responses
from openipt.privacy import services
from openipt.privacy.access import get_privacy_client
from openipt.privacy.models import Consent

router = Router(tags=["privacy"])


class ConsentOut(Schema):
    id: int
    client_id: int
    topic: Consent.Topic
    given_on: date
    withdrawn_on: date | None
    status: str
    note: str
    recorded_by_id: int | None
    recorded_at: datetime


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    topic: Consent.Topic
    given_on: date
    note: StrictStr = Field("", max_length=2000)


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    withdrawn_on: date | None = Field(None, description="Defaults to today")


@router.get(
    "/clients/{client_id}/consents",
    response=responses(list[ConsentOut]),
    summary="List a client's consent records",
)
@paginate(LimitOffsetPagination)
def list_consents(request: HttpRequest, client_id: int):
    client = get_privacy_client(request, client_id)
    return client.consents.order_by("-given_on", "-id")


@router.post(
    "/clients/{client_id}/consents",
    response=responses(ConsentOut, 201),
    summary="Record a consent the client gave",
)
def create_consent(request: HttpRequest, client_id: int, payload: ConsentIn):
    client = get_privacy_client(request, client_id, write=True)
    consent = services.record_consent(
        request.user, client, topic=payload.topic, given_on=payload.given_on, note=payload.note
    )
    return Status(201, consent)


@router.post(
    "/clients/{client_id}/consents/{consent_id}/withdraw",
    response=responses(ConsentOut),
    summary="Withdraw a consent (the record of it is kept)",
)
def withdraw_consent(request: HttpRequest, client_id: int, consent_id: int, payload: WithdrawIn):
    client = get_privacy_client(request, client_id, write=True)
    consent = get_object_or_404(Consent, pk=consent_id, client=client)
    return services.withdraw_consent(request.user, consent, payload.withdrawn_on)
