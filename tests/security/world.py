"""A rich fixture world: one of every clinical object, all belonging to the owner therapist.

Objects are made generically from the installed models (apps.get_models over the clinical
apps), so a model another area adds tomorrow is in the world without editing this file.
Every free-text field holds SENTINEL, so a page that leaks the owner's record to someone
else is caught by searching the response for it.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from tests.factories import (
    make_alert,
    make_client,
    make_course,
    make_erasure,
    make_user,
    today,
)

SENTINEL = "ZZOWNERZZ"
OWNER_CLIENT_NAME = "Carla Client"
# The erased client's name and record number: no page or operation shows them to anyone.
ERASED = "ZZERASEDZZ"

# Values a generic guess would get wrong (codes that views look up).
OVERRIDES: dict[str, dict[str, Any]] = {
    "courses.course": {
        "format": "standard",
        "status": "active",
        "planned_sessions": 16,
        "frequency": "weekly",
        "intake_flags": [],
    },
    "courses.session": {"number": 1, "attendance": "attended", "phase": "initial"},
    "interpersonal.person": {"ring": 1},
    "assessments.alert": {"item": "9", "value": 2, "status": "open"},
    "assessments.itemanswer": {"item": "1", "position": 1, "value": 1},
    "courses.sessionamendment": {"previous": {"notes": SENTINEL}},
    "courses.sentletter": {"pdf": base64.b64encode(b"%PDF-1.7 " + SENTINEL.encode()).decode()},
    "groups.group": {"programme": "who_8", "planned_size": 8, "status": "running"},
    "groups.screeningentry": {"programme": "who_8", "outcome": "eligible", "answers": {}},
    "groups.groupmembership": {"problem_area": "grief"},
    "groups.groupsession": {"phase": "initial", "tasks_done": [], "minutes": 90},
    "groups.programmecost": {"programme": "who_8", "currency": "USD"},
}
# Models left out of the world, each with its reason.
SKIP = {
    "privacy.erasure": "an Erasure row hides the client: every page about them is then 404",
    "clients.client": "the owner's client is the cast's, set before the others are made",
}
# Text fields that hold codes rather than prose.
CODE_FIELDS = {"instrument": "phq9", "band": "", "diagnosis_system": "", "kind": ""}


def _instrument_version() -> str:
    from openipt.measures import get_instrument

    return get_instrument("phq9").version


def _task_id() -> str:
    from openipt.protocol.phases import all_tasks

    return all_tasks()[0].id


def _list_kind() -> str:
    from openipt.insights.supervision import LIST_KINDS

    return LIST_KINDS[0]


def _sample(f: models.Field) -> Any:
    """Return a plausible value for a required field of any ordinary type."""
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return today() - dt.timedelta(days=7)
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.IntegerField | models.FloatField | models.DecimalField):
        return 1
    if isinstance(f, models.JSONField):
        return f.get_default() if f.has_default() else {}
    if isinstance(f, models.CharField | models.TextField):
        return _text(f)
    if isinstance(f, models.BinaryField):
        return b""
    return None


def _text(f: models.Field) -> str:
    if f.name in CODE_FIELDS:
        return CODE_FIELDS[f.name] or ""
    limit = getattr(f, "max_length", None) or 1000
    return SENTINEL if limit >= len(SENTINEL) else "x" * limit


def _is_text(f: models.Field) -> bool:
    from openipt.core.fields import EncryptedJSONField

    # An encrypted JSON field is stored as text but holds structured data: not prose.
    is_json = isinstance(f, EncryptedJSONField)
    return isinstance(f, models.CharField | models.TextField) and not f.choices and not is_json


@dataclass
class World:
    owner: Any
    supervisor: Any
    outsider: Any
    other_supervisor: Any
    client_user: Any
    admin: Any
    client: Any
    other_client: Any
    cast: Any
    facilitator: Any = None  # runs the owner's group
    other_facilitator: Any = None  # runs no group of the owner's
    objects: dict[str, Any] = field(default_factory=dict)  # "app.model" -> instance
    failed: dict[str, str] = field(default_factory=dict)  # "app.model" -> why

    def get(self, label: str) -> Any:
        return self.objects.get(label)

    @property
    def roles(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "supervisor": self.supervisor,
            "outsider": self.outsider,
            "other_supervisor": self.other_supervisor,
            "client": self.client_user,
            "admin": self.admin,
            "facilitator": self.facilitator,
            "other_facilitator": self.other_facilitator,
        }


def _depth(model: type[models.Model], seen: tuple[type, ...] = ()) -> int:
    deps = [
        f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not model and f.related_model not in seen
    ]
    return 1 + max((_depth(d, (*seen, model)) for d in deps), default=0)  # type: ignore[arg-type]


def _build(model: type[models.Model], world: World, user: Any) -> models.Model:
    label = model._meta.label_lower
    overrides = dict(OVERRIDES.get(label, {}))
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.name in overrides:
            values[f.name] = overrides[f.name]
        elif f.is_relation:
            target = world.get(f.related_model._meta.label_lower)  # type: ignore[union-attr]
            if f.related_model._meta.label_lower == "accounts.user":  # type: ignore[union-attr]
                target = user
            if target is None and not f.null:
                raise LookupError(f"needs a {f.related_model._meta.label}")  # type: ignore[union-attr]
            values[f.name] = target
        elif _is_text(f):
            values[f.name] = _text(f)
        elif f.has_default() or f.null:
            continue
        else:
            values[f.name] = _sample(f)
    if "version" in values and values.get("instrument") == "phq9":
        values["version"] = _instrument_version()
    if "task_id" in values:
        values["task_id"] = _task_id()
    return model.objects.create(**values)


HEALTH_APPS = (
    "clients",
    "courses",
    "interpersonal",
    "assessments",
    "privacy",
    "portal",
    "reports",
    "insights",
    "groups",
)


def build_world(cast: Any) -> World:
    """Return the cast plus one object of every clinical model, owned by the therapist."""
    other_sup = make_user(username="sup2", role="supervisor", display_name="Supervisor Two")
    cast.outsider.supervisor = other_sup
    cast.outsider.save(update_fields=["supervisor"])
    world = World(
        owner=cast.therapist,
        supervisor=cast.supervisor,
        outsider=cast.outsider,
        other_supervisor=other_sup,
        client_user=cast.client_user,
        admin=cast.admin,
        client=cast.client,
        other_client=cast.other_client,
        cast=cast,
    )
    world.objects["clients.client"] = cast.client
    candidates = [m for m in apps.get_models() if m._meta.app_label in HEALTH_APPS]
    for model in sorted(candidates, key=lambda m: (_depth(m), m._meta.label_lower)):
        label = model._meta.label_lower
        if label in SKIP:
            continue
        try:
            with transaction.atomic():
                world.objects[label] = _build(model, world, cast.therapist)
        except Exception as exc:  # noqa: BLE001 - a model we cannot guess is reported, not fatal
            world.failed[label] = f"{type(exc).__name__}: {exc}"
    _complete_answers(world)
    _add_edge_cases(world)
    _add_account_objects(world)
    _add_group_staff(world)
    return world


def _add_group_staff(world: World) -> None:
    """Make the facilitator of the owner's group, and one of another group's."""
    world.facilitator = make_user(username="fac", role="facilitator", supervisor="sup")
    world.other_facilitator = make_user(username="fac2", role="facilitator", supervisor="sup2")
    group = world.get("groups.group")
    if group is not None:
        group.facilitators.add(world.facilitator)
        type(group).objects.filter(pk=group.pk).update(supervisor=world.supervisor)


def _add_edge_cases(world: World) -> None:
    """Add the records a rule most easily forgets: an ended course of the owner's client with
    an open alert (the alert still belongs to the client), and an erased client of the owner
    whose alert was open when the record was erased (hidden from everyone)."""
    ended = make_course(client=world.client, status="ended", ended_on=today())
    world.objects["edge.ended_alert"] = make_alert(course=ended, raised_at=timezone.now())
    erased = make_client(therapist=world.owner, name=f"Erin {ERASED}", record_number=ERASED)
    erased_course = make_course(client=erased)
    world.objects["edge.erased_alert"] = make_alert(course=erased_course, raised_at=timezone.now())
    make_erasure(client=erased)


def _add_account_objects(world: World) -> None:
    """Name the owner's account and one of their API tokens for the admin and token pages
    (user_id, token_id); the matrix's own bearer tokens stay separate."""
    from openipt.accounts.models import ApiToken

    world.objects["accounts.user"] = world.owner
    world.objects["accounts.apitoken"] = ApiToken.issue(world.owner, name="matrix")[0]
    _add_notify_objects(world)


def _add_notify_objects(world: World) -> None:
    """An in-app notification of the owner about their alert (notification_id), and a failed
    job for the admin's jobs page (failed_job_id)."""
    from openipt.jobs.models import FailedJob
    from openipt.notify.models import Notification

    alert = world.get("assessments.alert")
    world.objects["notify.notification"] = Notification.objects.create(
        key="matrix:notification", kind="alert", channel="in_app", user=world.owner,
        alert=alert, subject="An alert needs your attention", body="Open it in OpenIPT.",
        link=alert.get_absolute_url() if alert else "", created_at=timezone.now(), status="sent",
    )  # fmt: skip
    world.objects["jobs.failedjob"] = FailedJob.objects.create(
        task="backup_job", task_id="matrix", error="OSError: disk full", failed_at=timezone.now()
    )


def _complete_answers(world: World) -> None:
    """Give the questionnaire an answer to every item, as a real one has."""
    administration = world.get("assessments.administration")
    answer = world.get("assessments.itemanswer")
    if administration is None or answer is None:
        return
    from openipt.measures import get_instrument

    for position, item in enumerate(get_instrument("phq9").items, start=1):
        if item.id != answer.item:
            type(answer).objects.create(
                administration=administration, item=item.id, position=position, value=1
            )


def value_for(name: str, world: World, schema: dict[str, Any] | None = None) -> Any:
    """Return the value to put in a URL kwarg or path parameter, or raise LookupError."""
    schema = schema or {}
    if schema.get("enum"):
        return schema["enum"][0]
    # Text parameters name protocol content, not rows: a task slug, an instrument code.
    fixed = {
        "task_id": _task_id,
        "code": lambda: "phq9",
        "kind": _list_kind,
        "token": lambda: "not-a-real-link-token",
    }
    if name in fixed and schema.get("type") != "integer":
        return fixed[name]()
    if name == "position":
        return 1
    if not name.endswith("_id"):
        raise LookupError(name)
    stem = name[: -len("_id")].replace("_", "")
    for label, obj in world.objects.items():
        if label.split(".")[1] == stem:
            return obj.pk
    for label, obj in world.objects.items():
        if label.split(".")[1].endswith(stem):
            return obj.pk
    raise LookupError(name)
